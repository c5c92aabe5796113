using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Queueing.Actuate.Api;

/// <summary>
/// The command API's request signature: <c>X-Queueing-Signature: v1=&lt;hex&gt;</c> where hex is the lower-case
/// HMAC-SHA256, keyed with the UTF-8 bytes of the shared secret, of <c>timestamp + "." + raw body</c>, and
/// timestamp is the <c>X-Queueing-Timestamp</c> header (Unix seconds). Public so that tools (the local stack's
/// <c>invoke</c>, tests) sign exactly as callers must.
/// </summary>
public static class CommandSignature
{
    public const string TimestampHeader = "X-Queueing-Timestamp";
    public const string SignatureHeader = "X-Queueing-Signature";
    public const string Version = "v1";

    /// <summary>The header value for <paramref name="body"/> signed at <paramref name="timestamp"/>.</summary>
    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body) =>
        Version + "=" + Convert.ToHexStringLower(Compute(Encoding.UTF8.GetBytes(secret), timestamp.ToString(CultureInfo.InvariantCulture), body));

    public static string Sign(string secret, long timestamp, string body) => Sign(secret, timestamp, Encoding.UTF8.GetBytes(body));

    internal static byte[] Compute(byte[] key, string timestamp, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(Encoding.ASCII.GetBytes(timestamp));
        hmac.AppendData("."u8);
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }
}
