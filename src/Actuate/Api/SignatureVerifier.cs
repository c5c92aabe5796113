using System.Security.Cryptography;
using System.Text;
using Queueing.Shared.Secrets;

namespace Queueing.Actuate.Api;

/// <summary>
/// Checks <see cref="CommandSignature"/> on a request: header syntax, the ±5 minute replay window, then the HMAC
/// in constant time. Cheap refusals (missing, garbled, stale) happen before the secret is read.
/// </summary>
/// <remarks>
/// Rotation: when a well-formed, fresh signature does not match, the secret is re-read from SSM once and the
/// check repeated — a caller already using a rotated secret is accepted without a cold start. The re-read is
/// allowed at most once per <see cref="RefreshInterval"/> per instance, so a flood of bad signatures cannot turn
/// into a flood of SSM calls (SSM throttles GetParameter, and a throttled SSM would lock out good callers too).
/// </remarks>
public sealed class SignatureVerifier
{
    public static readonly TimeSpan ReplayWindow = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(60);

    // Unix seconds fit in 11 digits until the year 5138; more digits can only be garbage.
    private const int MaxTimestampDigits = 12;
    private const int SignatureBytes = 32;

    private readonly ISecret _secret;
    private readonly TimeProvider _time;
    private DateTimeOffset? _secretReadAt;

    public SignatureVerifier(ISecret secret, TimeProvider time)
    {
        _secret = secret;
        _time = time;
    }

    /// <summary>Null when the signature is good; otherwise why the request is refused (a 401 detail).</summary>
    public async ValueTask<string?> VerifyAsync(string? timestampHeader, string? signatureHeader, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        if (CheckTimestamp(timestampHeader) is { } timestampProblem)
        {
            return timestampProblem;
        }

        var candidates = ParseSignatures(signatureHeader, out var signatureProblem);
        if (signatureProblem is not null)
        {
            return signatureProblem;
        }

        var secret = await _secret.GetAsync(cancellationToken);
        _secretReadAt ??= _time.GetUtcNow();
        if (Matches(secret, timestampHeader!, body.Span, candidates))
        {
            return null;
        }

        if (_time.GetUtcNow() - _secretReadAt >= RefreshInterval)
        {
            _secretReadAt = _time.GetUtcNow();
            var refreshed = await _secret.RefreshAsync(cancellationToken);
            if (!string.Equals(refreshed, secret, StringComparison.Ordinal) && Matches(refreshed, timestampHeader!, body.Span, candidates))
            {
                return null;
            }
        }

        return "The signature does not match: sign timestamp + \".\" + the raw body with HMAC-SHA256 and the shared secret.";
    }

    private string? CheckTimestamp(string? header)
    {
        if (string.IsNullOrEmpty(header))
        {
            return $"The {CommandSignature.TimestampHeader} header is missing.";
        }

        if (header.Length > MaxTimestampDigits || !header.All(char.IsAsciiDigit))
        {
            return $"The {CommandSignature.TimestampHeader} header must be the Unix time in seconds (digits only).";
        }

        var age = _time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(long.Parse(header, System.Globalization.CultureInfo.InvariantCulture));
        if (age > ReplayWindow)
        {
            return $"The {CommandSignature.TimestampHeader} is {(long)age.TotalSeconds} s old; requests older than {ReplayWindow.TotalSeconds} s are refused (replay protection). Check the caller's clock.";
        }

        if (-age > ReplayWindow)
        {
            return $"The {CommandSignature.TimestampHeader} is {(long)(-age).TotalSeconds} s in the future; more than {ReplayWindow.TotalSeconds} s ahead is refused. Check the caller's clock.";
        }

        return null;
    }

    private static List<byte[]> ParseSignatures(string? header, out string? problem)
    {
        var candidates = new List<byte[]>();
        problem = null;
        if (string.IsNullOrWhiteSpace(header))
        {
            problem = $"The {CommandSignature.SignatureHeader} header is missing.";
            return candidates;
        }

        // Several signatures may be sent comma-separated (e.g. with the old and new secret during a rotation).
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !part.AsSpan(0, equals).Equals(CommandSignature.Version, StringComparison.Ordinal))
            {
                continue;
            }

            var hex = part.AsSpan(equals + 1);
            var bytes = new byte[SignatureBytes];
            if (hex.Length != SignatureBytes * 2 || Convert.FromHexString(hex, bytes, out _, out _) != System.Buffers.OperationStatus.Done)
            {
                problem = $"The {CommandSignature.SignatureHeader} header must be v1=<64 hex digits>.";
                return candidates;
            }

            candidates.Add(bytes);
        }

        if (candidates.Count == 0)
        {
            problem = $"The {CommandSignature.SignatureHeader} header has no v1=<hex> signature.";
        }

        return candidates;
    }

    private static bool Matches(string secret, string timestamp, ReadOnlySpan<byte> body, List<byte[]> candidates)
    {
        var expected = CommandSignature.Compute(Encoding.UTF8.GetBytes(secret), timestamp, body);
        var matched = false;
        foreach (var candidate in candidates)
        {
            // Constant time, and every candidate is compared, so timing says nothing about which one matched.
            matched |= CryptographicOperations.FixedTimeEquals(expected, candidate);
        }

        return matched;
    }
}
