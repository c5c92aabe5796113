using System.Text;
using Queueing.Shared.Secrets;

namespace Queueing.Actuate.Api;

/// <summary>
/// The command signing secret as the verifier uses it: at least <see cref="MinBytes"/> bytes, and never older than
/// <see cref="MaxAge"/>, so a secret that was rotated away (e.g. after a leak) stops working within five minutes on
/// every warm instance, besides the re-read after a mismatch that lets the new secret in at once.
/// </summary>
internal sealed class SigningSecret
{
    /// <summary>HMAC-SHA256's block-size guidance: a key shorter than the hash output weakens it.</summary>
    public const int MinBytes = 32;

    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    private readonly ISecret _store;
    private readonly string _parameterName;
    private readonly TimeProvider _time;
    private string? _value;
    private DateTimeOffset _readAt;

    public SigningSecret(ISecret store, string parameterName, TimeProvider time)
    {
        _store = store;
        _parameterName = parameterName;
        _time = time;
    }

    /// <summary>The cached secret, re-read from the store once it is <see cref="MaxAge"/> old.</summary>
    public async ValueTask<string> GetAsync(CancellationToken cancellationToken)
    {
        if (_value is { } cached && _time.GetUtcNow() - _readAt < MaxAge)
        {
            return cached;
        }

        return Keep(_value is null ? await _store.GetAsync(cancellationToken) : await _store.RefreshAsync(cancellationToken));
    }

    /// <summary>Re-reads the store now (after a mismatch: the caller may already use a rotated secret).</summary>
    public async ValueTask<string> RefreshAsync(CancellationToken cancellationToken) =>
        Keep(await _store.RefreshAsync(cancellationToken));

    private string Keep(string value)
    {
        var bytes = Encoding.UTF8.GetByteCount(value);
        if (bytes < MinBytes)
        {
            // Not cached: a corrected parameter is picked up by the next request.
            _value = null;
            throw new SecretUnavailableException(
                $"SSM parameter '{_parameterName}' holds a signing secret of {bytes} bytes; at least {MinBytes} are required (e.g. openssl rand -hex 32).");
        }

        _value = value;
        _readAt = _time.GetUtcNow();
        return value;
    }
}
