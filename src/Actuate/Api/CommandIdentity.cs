using System.Security.Cryptography;
using System.Text;
using Queueing.Contracts.Commands;

namespace Queueing.Actuate.Api;

/// <summary>
/// How a command is told apart from a retry of itself. SQS FIFO drops a message whose
/// <c>MessageDeduplicationId</c> it saw in its message group (the device) in the last 5 minutes, so a retried call
/// is not enqueued twice. Both ids are derived from what was signed, never taken from a header as it stands.
/// </summary>
internal static class CommandIdentity
{
    // What a caller can send: printable ASCII without spaces, like SQS's own deduplication ids.
    public const int MaxIdempotencyKeyLength = 128;

    public static bool IsValidIdempotencyKey(string key) =>
        key.Length is >= 1 and <= MaxIdempotencyKeyLength && key.All(c => c is >= '!' and <= '~');

    /// <summary>
    /// With an <c>Idempotency-Key</c>: the SHA-256 of (device, key, body), so a caller's retry, signed again with a
    /// new timestamp, is the same command, while the same key reused for another device or another body is a
    /// separate command (never a 202 for a command SQS then drops as a duplicate). Without one: the SHA-256 of
    /// everything signed, so only a byte-identical replay of one signed request is deduplicated, and the same body
    /// signed again later ("on", "off", then "on" again) is a new command.
    /// </summary>
    public static string DeduplicationId(string deviceId, in SignedRequest request)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (request.IdempotencyKey is { } key)
        {
            // Unambiguous: a device id has no line feed, a key no control character.
            sha.AppendData(Encoding.UTF8.GetBytes("key\n" + deviceId + "\n" + key + "\n"));
            sha.AppendData(request.Body.Span);
        }
        else
        {
            sha.AppendData("signed\n"u8);
            request.AppendTo(sha);
        }

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
