namespace Queueing.Ingest.Telemetry;

/// <summary>
/// What the template's TelemetryClaimRule puts on IngestQueue for a payload that set <c>deviceId</c>,
/// <c>receivedAt</c> or <c>commandEvent</c> itself: no <c>deviceId</c>, but <c>topicDeviceId</c> (the topic's device
/// id), the claimed values as <c>claimedDeviceId</c> / <c>claimedReceivedAt</c> / <c>claimedCommandEvent</c> and the
/// payload as <c>base64OriginalPayload</c>. Only the rules (and, for <c>commandEvent</c>, the command publisher) set
/// those fields, so such a record is rejected, never delivered to any resource. The claimed values are kept as their
/// JSON text (a claim need not be a string).
/// </summary>
internal sealed class IdentityClaim
{
    public required string TopicDeviceId { get; init; }
    public string? ClaimedDeviceId { get; init; }
    public string? ClaimedReceivedAt { get; init; }
    public string? ClaimedCommandEvent { get; init; }

    /// <summary>The claim in a record that has a string <c>topicDeviceId</c>.</summary>
    public static IdentityClaim From(List<JsonField> fields, ReadOnlySpan<byte> body) => new()
    {
        TopicDeviceId = fields.First(f => f.Name == FieldName.TopicDeviceId).ReadString(body)!,
        ClaimedDeviceId = RawValueOf(fields, body, FieldName.ClaimedDeviceId),
        ClaimedReceivedAt = RawValueOf(fields, body, FieldName.ClaimedReceivedAt),
        ClaimedCommandEvent = RawValueOf(fields, body, FieldName.ClaimedCommandEvent),
    };

    public string Reason()
    {
        var claims = new List<string>(2);
        if (ClaimedDeviceId is not null)
        {
            claims.Add($"deviceId {TelemetryParser.Shorten(ClaimedDeviceId)}");
        }

        if (ClaimedReceivedAt is not null)
        {
            claims.Add($"receivedAt {TelemetryParser.Shorten(ClaimedReceivedAt)}");
        }

        if (ClaimedCommandEvent is not null)
        {
            claims.Add($"commandEvent {TelemetryParser.Shorten(ClaimedCommandEvent)}");
        }

        var claimed = claims.Count > 0 ? string.Join(" and ", claims) : "deviceId or receivedAt";
        var setters = ClaimedCommandEvent is null
            ? "only the IoT rule sets those (from the topic and its clock)"
            : "only the IoT rules and the command publisher set those (from the topic, their clock and the command's fate)";
        return $"the payload published on the topic of device '{TelemetryParser.Shorten(TopicDeviceId)}' sets {claimed}; {setters}, " +
            "so it is delivered to no resource (the payload is in base64OriginalPayload)";
    }

    private static string? RawValueOf(List<JsonField> fields, ReadOnlySpan<byte> body, FieldName name) =>
        fields.FirstOrDefault(f => f.Name == name) is { NameLength: > 0 } field ? field.RawValue(body) : null;
}
