using System.Text.Json;

namespace Queueing.Emulators.Waylay.Broker;

/// <summary>
/// A TimestampedResourceEvent as the broker keeps and forwards it: the event's JSON with <c>resource</c> set and
/// <c>timestamp</c> normalised to Unix milliseconds (the broker's processing time when the event had none).
/// <see cref="Json"/> is immutable, so one instance is shared by the message cache and the rule engine.
/// </summary>
internal sealed record BrokerEvent(string Resource, long Timestamp, JsonElement Json)
{
    public string ToJsonString() => Json.GetRawText();
}
