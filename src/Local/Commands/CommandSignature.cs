using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Queueing.Local.Commands;

/// <summary>
/// The command API's signing scheme (docs/commands.md, "Signing"), as a caller applies it: HMAC-SHA256 with the
/// shared secret over <c>timestamp \n METHOD \n path \n Idempotency-Key-or-empty \n body</c>, the timestamp in Unix
/// seconds. Used by <c>generate-event http --sign</c> and <c>send-command</c>; the command API checks it
/// (src/Actuate) and the Waylay plug signs the same way (waylay/plugins/queueingCommand), each on its own on purpose.
/// </summary>
internal static class CommandSignature
{
    public const string TimestampHeader = "X-Queueing-Timestamp";
    public const string SignatureHeader = "X-Queueing-Signature";
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>The two header values for a request sent at <paramref name="now"/>.</summary>
    public static (string Timestamp, string Signature) Sign(
        string secret, DateTimeOffset now, string method, string path, string? idempotencyKey, string body)
    {
        var timestamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = HMACSHA256.HashData(
            Encoding.UTF8.GetBytes(secret),
            Encoding.UTF8.GetBytes($"{timestamp}\n{method}\n{path}\n{idempotencyKey}\n{body}"));
        return (timestamp, "v1=" + Convert.ToHexStringLower(signature));
    }
}
