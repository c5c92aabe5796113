using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Queueing.Contracts.Commands;

namespace Queueing.Actuate.Api;

/// <summary>
/// Checks <see cref="CommandSignature"/> on a request: header syntax, the <see cref="ReplayWindow"/>, then the HMAC
/// in constant time. Cheap refusals (missing, garbled, stale) happen before the secret is read.
/// </summary>
/// <remarks>
/// Rotation: when a well-formed, fresh signature does not match, the secret is re-read from SSM once and the
/// check repeated — a caller already using a rotated secret is accepted without a cold start. The re-read is
/// allowed at most once per <see cref="RefreshInterval"/> per instance, so a flood of bad signatures cannot turn
/// into a flood of SSM calls (SSM throttles GetParameter, and a throttled SSM would lock out good callers too).
/// </remarks>
internal sealed class SignatureVerifier
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(60);

    // Unix seconds fit in 11 digits until the year 5138; more digits can only be garbage.
    private const int MaxTimestampDigits = 11;
    private const int SignatureBytes = 32;

    private readonly SigningSecret _secret;
    private readonly ReplayWindow _window;
    private readonly TimeProvider _time;
    private DateTimeOffset? _lastRefresh;

    public SignatureVerifier(SigningSecret secret, ReplayWindow window, TimeProvider time)
    {
        _secret = secret;
        _window = window;
        _time = time;
    }

    /// <summary>Null when the signature is good; otherwise why the request is refused (a 401 detail).</summary>
    public async ValueTask<string?> VerifyAsync(SignedRequest request, string? signatureHeader, CancellationToken cancellationToken)
    {
        if (CheckTimestamp(request.Timestamp) is { } timestampProblem)
        {
            return timestampProblem;
        }

        var candidates = ParseSignatures(signatureHeader, out var signatureProblem);
        if (signatureProblem is not null)
        {
            return signatureProblem;
        }

        var secret = await _secret.GetAsync(cancellationToken);
        // The first read counts as a refresh: re-reading a secret fetched a moment ago would be pointless.
        _lastRefresh ??= _time.GetUtcNow();
        if (Matches(secret, request, candidates))
        {
            return null;
        }

        var now = _time.GetUtcNow();
        if (now - _lastRefresh >= RefreshInterval)
        {
            _lastRefresh = now;
            var refreshed = await _secret.RefreshAsync(cancellationToken);
            // Only a secret that changed can match now; the same one was just compared.
            if (!string.Equals(refreshed, secret, StringComparison.Ordinal) && Matches(refreshed, request, candidates))
            {
                return null;
            }
        }

        return "The signature does not match: sign timestamp, method, path, Idempotency-Key and the raw body, each but the last followed by a line feed, with HMAC-SHA256 and the shared secret (docs/commands.md).";
    }

    private string? CheckTimestamp(string header)
    {
        if (header.Length == 0)
        {
            return $"The {CommandSignature.TimestampHeader} header is missing.";
        }

        if (header.Length > MaxTimestampDigits || !header.All(char.IsAsciiDigit))
        {
            return $"The {CommandSignature.TimestampHeader} header must be the Unix time in seconds (at most {MaxTimestampDigits} digits).";
        }

        // In whole seconds, so no timestamp can overflow a DateTimeOffset.
        var ageSeconds = _time.GetUtcNow().ToUnixTimeSeconds() - long.Parse(header, CultureInfo.InvariantCulture);
        if (ageSeconds > (long)_window.MaxAge.TotalSeconds)
        {
            return $"The {CommandSignature.TimestampHeader} is {ageSeconds} s old; requests older than {_window.MaxAge.TotalSeconds} s are refused (replay protection). Check the caller's clock.";
        }

        if (-ageSeconds > (long)_window.MaxAhead.TotalSeconds)
        {
            return $"The {CommandSignature.TimestampHeader} is {-ageSeconds} s in the future; more than {_window.MaxAhead.TotalSeconds} s ahead is refused. Check the caller's clock.";
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

    private static bool Matches(string secret, in SignedRequest request, List<byte[]> candidates)
    {
        var expected = CommandSignature.Compute(Encoding.UTF8.GetBytes(secret), request);
        var matches = 0;
        foreach (var candidate in candidates)
        {
            // Constant time, and every candidate is compared, so timing says nothing about which one matched.
            matches += CryptographicOperations.FixedTimeEquals(expected, candidate) ? 1 : 0;
        }

        return matches > 0;
    }
}
