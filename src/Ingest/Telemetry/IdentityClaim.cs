namespace Queueing.Ingest.Telemetry;

/// <summary>
/// What the template's TelemetryClaimRule puts on IngestQueue for a payload that set <c>deviceId</c> or
/// <c>receivedAt</c> itself: no <c>deviceId</c>, but <c>topicDeviceId</c> (the topic's device id), the claimed values
/// as <c>claimedDeviceId</c> / <c>claimedReceivedAt</c> and the payload as <c>base64OriginalPayload</c>. Only the
/// rules set those two fields, so such a record is rejected, never delivered to any resource. The claimed values
/// are kept as their JSON text (a claim need not be a string).
/// </summary>
internal sealed class IdentityClaim
{
    public required string TopicDeviceId { get; init; }
    public string? ClaimedDeviceId { get; init; }
    public string? ClaimedReceivedAt { get; init; }

    /// <summary>The claim in a record that has a string <c>topicDeviceId</c>.</summary>
    public static IdentityClaim From(List<JsonField> fields, ReadOnlySpan<byte> body) => new()
    {
        TopicDeviceId = fields.First(f => f.Name == FieldName.TopicDeviceId).ReadString(body)!,
        ClaimedDeviceId = RawValueOf(fields, body, FieldName.ClaimedDeviceId),
        ClaimedReceivedAt = RawValueOf(fields, body, FieldName.ClaimedReceivedAt),
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

        var claimed = claims.Count > 0 ? string.Join(" and ", claims) : "deviceId or receivedAt";
        return $"the payload published on the topic of device '{TelemetryParser.Shorten(TopicDeviceId)}' sets {claimed}; only the IoT " +
            "rule sets those (from the topic and its clock), so it is delivered to no resource (the payload is in base64OriginalPayload)";
    }

    private static string? RawValueOf(List<JsonField> fields, ReadOnlySpan<byte> body, FieldName name) =>
        fields.FirstOrDefault(f => f.Name == name) is { NameLength: > 0 } field ? field.RawValue(body) : null;
}
