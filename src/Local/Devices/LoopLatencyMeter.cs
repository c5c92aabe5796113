using System.Text.Json;

namespace Queueing.Local.Devices;

/// <summary>
/// What one device measures of the closed loop: for each command, the time from the telemetry message that crossed
/// the threshold (the one that made the rule fire) to the command's arrival.
/// </summary>
/// <remarks>
/// A crossing is a message whose state (above, below or equal to the signal's threshold) differs from the
/// previous message's, entering above or below; the first message is one too. That is when Waylay's
/// <c>stateChangeTrigger</c> fires (waylay/templates/light-threshold.json: to <c>Above</c> sends
/// <c>{"lightStatus":"off"}</c>, to <c>Below</c> <c>{"lightStatus":"on"}</c>). Commands of one device arrive in
/// the order their crossings were published (the rule sees a resource's events in timestamp order, the command
/// queue is FIFO per device), so a command answers the oldest open crossing of its direction, and the open
/// crossings before that one were never answered (their message was dead-lettered, say): they are dropped rather
/// than matched to a later command. A command that answers no crossing (one sent by hand) is not measured.
/// </remarks>
internal sealed class LoopLatencyMeter(double threshold)
{
    public const string Above = "Above";
    public const string Below = "Below";
    private const string Equal = "Equal";

    private readonly Lock _lock = new();
    private readonly List<(string State, long Timestamp)> _open = [];
    private string? _state;

    /// <summary>A telemetry message with <paramref name="value"/> was published; <paramref name="timestamp"/> is
    /// <see cref="TimeProvider.GetTimestamp"/> taken before its publish.</summary>
    public void Published(double value, long timestamp)
    {
        var state = value > threshold ? Above : value < threshold ? Below : Equal;
        lock (_lock)
        {
            if (state != _state && state != Equal)
            {
                _open.Add((state, timestamp));
            }

            _state = state;
        }
    }

    /// <summary>A command arrived; its loop latency, or null when it answers no open crossing.</summary>
    public TimeSpan? Answered(string payload, long timestamp, TimeProvider time)
    {
        if (StateAnsweredBy(payload) is not { } state)
        {
            return null;
        }

        lock (_lock)
        {
            var index = _open.FindIndex(c => c.State == state);
            if (index < 0)
            {
                return null;
            }

            var crossing = _open[index];
            _open.RemoveRange(0, index + 1);
            return time.GetElapsedTime(crossing.Timestamp, timestamp);
        }
    }

    /// <summary>The crossing a light command answers: off for a light above the threshold, on for one below.</summary>
    public static string? StateAnsweredBy(string payload)
    {
        try
        {
            using var json = JsonDocument.Parse(payload);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("lightStatus", out var status)
                ? status.ValueKind == JsonValueKind.String ? status.GetString() switch { "off" => Above, "on" => Below, _ => null } : null
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
