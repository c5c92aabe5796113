using System.Collections.Concurrent;
using System.Text.Json;
using Queueing.Emulators.Lambda;

namespace Queueing.Local.Up;

/// <summary>
/// The commands the command API accepted, by command id: read from the function's own 202 answers
/// (<c>{"statusCode":202,"body":"{\"commandId\":...}"}</c>), so a retried request that the API deduplicated (same
/// command id) counts once, as it is enqueued once.
/// </summary>
internal sealed class CommandLedger
{
    private readonly ConcurrentDictionary<string, string> _accepted = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, List<string>> _byDevice = new(StringComparer.Ordinal);

    public int Accepted => _accepted.Count;

    /// <summary>The command ids accepted for one device, in the order the API answered them (with one command API
    /// instance, the order they were enqueued in).</summary>
    public IReadOnlyList<string> AcceptedFor(string deviceId)
    {
        if (!_byDevice.TryGetValue(deviceId, out var ids))
        {
            return [];
        }

        lock (ids)
        {
            return [.. ids];
        }
    }

    public void Observe(InvocationResult result)
    {
        if (result.IsError)
        {
            return;
        }

        try
        {
            using var response = JsonDocument.Parse(result.Payload);
            if (response.RootElement.ValueKind != JsonValueKind.Object
                || !response.RootElement.TryGetProperty("statusCode", out var status)
                || status.ValueKind != JsonValueKind.Number
                || status.GetInt32() != 202
                || !response.RootElement.TryGetProperty("body", out var body)
                || body.ValueKind != JsonValueKind.String)
            {
                return;
            }

            using var accepted = JsonDocument.Parse(body.GetString()!);
            if (accepted.RootElement.TryGetProperty("commandId", out var id) && id.ValueKind == JsonValueKind.String
                && accepted.RootElement.TryGetProperty("deviceId", out var device) && device.ValueKind == JsonValueKind.String)
            {
                if (_accepted.TryAdd(id.GetString()!, device.GetString()!))
                {
                    var ids = _byDevice.GetOrAdd(device.GetString()!, _ => []);
                    lock (ids)
                    {
                        ids.Add(id.GetString()!);
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not an answer of the command API's shape: nothing accepted to count.
        }
    }
}
