using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Queueing.Contracts.Commands;

/// <summary>
/// The command API's request signature (docs/commands.md, "Signing"): <c>X-Queueing-Signature: v1=&lt;hex&gt;</c>
/// where hex is the lower-case HMAC-SHA256, keyed with the UTF-8 bytes of the shared secret, of the string to sign
/// <code>
/// timestamp "\n" METHOD "\n" path "\n" idempotency-key "\n" raw body
/// </code>
/// timestamp being the <c>X-Queueing-Timestamp</c> header (Unix seconds), METHOD the upper-case HTTP method, path the
/// URL's path as sent (no query; with the stage in front outside the <c>$default</c> stage), idempotency-key the
/// <c>Idempotency-Key</c> header or nothing when it is absent, and the body exactly as sent. Every input that
/// decides what happens is signed: none of the first four can hold a line feed, so the string cannot be read two
/// ways. The command API verifies with it (its replay window and constant-time compare stay there); the local
/// tool's <c>send-command</c> and <c>generate-event http --sign</c> sign with it. The Waylay plug
/// (waylay/plugins/queueingCommand) signs on its own, and its test checks it against the API's verifier.
/// </summary>
public static class CommandSignature
{
    public const string TimestampHeader = "X-Queueing-Timestamp";
    public const string SignatureHeader = "X-Queueing-Signature";
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const string Version = "v1";

    /// <summary>The <see cref="TimestampHeader"/> value of a request signed at <paramref name="at"/>.</summary>
    public static string Timestamp(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>The <see cref="SignatureHeader"/> value for <paramref name="request"/>.</summary>
    public static string Sign(string secret, in SignedRequest request) =>
        Version + "=" + Convert.ToHexStringLower(Compute(Encoding.UTF8.GetBytes(secret), request));

    /// <summary>A POST of <paramref name="body"/> to <paramref name="path"/>, signed at <paramref name="timestamp"/>.</summary>
    public static string Sign(string secret, long timestamp, string path, string? idempotencyKey, string body) =>
        Sign(secret, new SignedRequest(timestamp.ToString(CultureInfo.InvariantCulture), "POST", path, idempotencyKey, Encoding.UTF8.GetBytes(body)));

    /// <summary>The HMAC-SHA256 of <paramref name="request"/>'s string to sign, keyed with <paramref name="key"/>.</summary>
    public static byte[] Compute(byte[] key, in SignedRequest request)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        request.AppendTo(hmac);
        return hmac.GetHashAndReset();
    }
}

/// <summary>What a command request's signature covers (see <see cref="CommandSignature"/>).</summary>
public readonly record struct SignedRequest(string Timestamp, string Method, string Path, string? IdempotencyKey, ReadOnlyMemory<byte> Body)
{
    /// <summary>Feeds the string to sign into a hash (the HMAC, or the command API's deduplication id).</summary>
    public void AppendTo(IncrementalHash hash)
    {
        hash.AppendData(Encoding.UTF8.GetBytes(Timestamp + "\n" + Method.ToUpperInvariant() + "\n" + Path + "\n" + IdempotencyKey + "\n"));
        hash.AppendData(Body.Span);
    }
}
