using System.Security.Cryptography;
using System.Text;

namespace Queueing.Actuate.Api;

/// <summary>
/// How a command is told apart from a retry of itself. SQS FIFO drops a message whose
/// <c>MessageDeduplicationId</c> it saw in the last 5 minutes, so a retried call is not enqueued twice.
/// </summary>
public static class CommandIdentity
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    // SQS MessageDeduplicationId: 1 to 128 characters, alphanumerics and punctuation (printable ASCII).
    public const int MaxIdempotencyKeyLength = 128;

    public static bool IsValidIdempotencyKey(string key) =>
        key.Length is >= 1 and <= MaxIdempotencyKeyLength && key.All(c => c is >= '!' and <= '~');

    /// <summary>
    /// The <c>Idempotency-Key</c> when the caller gave one; otherwise the SHA-256 of the signed bytes
    /// (<c>timestamp + "." + body</c>). An HTTP retry of the same signed request repeats the timestamp and is
    /// deduplicated, while the same body signed again later (e.g. "on", "off", then "on" again within five
    /// minutes) is a new command, which a hash of the body alone would silently drop.
    /// </summary>
    public static string DeduplicationId(string? idempotencyKey, string timestamp, ReadOnlySpan<byte> body)
    {
        if (idempotencyKey is not null)
        {
            return idempotencyKey;
        }

        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.ASCII.GetBytes(timestamp));
        sha.AppendData("."u8);
        sha.AppendData(body);
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>
    /// A UUID (RFC 9562 version 8, name-based on SHA-256) derived from the device and the deduplication id, so a
    /// retried call is answered with the same command id it got the first time.
    /// </summary>
    public static string CommandId(string deviceId, string deduplicationId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("queueing-command\n" + deviceId + "\n" + deduplicationId));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // version 8
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString("D");
    }
}
