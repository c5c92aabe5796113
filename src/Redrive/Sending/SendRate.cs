using System.Globalization;

namespace Queueing.Redrive.Sending;

/// <summary>
/// Paces sends to at most <see cref="PerSecond"/> messages a second (--rate): each batch books its share of time
/// and the next batch waits until the booked time has passed. Batches are capped to one second's worth so the
/// burst stays within the rate.
/// </summary>
internal sealed class SendRate
{
    private readonly TimeProvider _time;
    private DateTimeOffset _next = DateTimeOffset.MinValue;

    private SendRate(double? perSecond, TimeProvider time)
    {
        PerSecond = perSecond;
        _time = time;
    }

    public double? PerSecond { get; }

    public int BatchSize => PerSecond is { } rate ? Math.Clamp((int)Math.Floor(rate), 1, 10) : 10;

    public static SendRate Unlimited(TimeProvider time) => new(null, time);

    /// <summary>"50", "50/s", "600/m"; null or empty means no limit.</summary>
    public static SendRate Parse(string? text, TimeProvider time)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Unlimited(time);
        }

        var trimmed = text.Trim();
        var divisor = 1.0;
        if (trimmed.EndsWith("/s", StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed[..^2];
        }
        else if (trimmed.EndsWith("/m", StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed[..^2];
            divisor = 60;
        }

        if (!double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value <= 0 || double.IsInfinity(value))
        {
            throw new UsageException($"--rate '{text}' is not a positive rate (e.g. 20, 20/s, 600/m).");
        }

        return new SendRate(value / divisor, time);
    }

    public async Task WaitAsync(int messages, CancellationToken cancellationToken)
    {
        if (PerSecond is not { } rate)
        {
            return;
        }

        var now = _time.GetUtcNow();
        if (_next < now)
        {
            _next = now;
        }

        var wait = _next - now;
        _next += TimeSpan.FromSeconds(messages / rate);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time, cancellationToken);
        }
    }
}
