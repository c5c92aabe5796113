using System.Globalization;
using System.Text;
using System.Text.Json;
using Amazon.SQS.Model;
using Queueing.Contracts.DeadLetters;
using Queueing.Contracts.Time;

namespace Queueing.Redrive.Messages;

/// <summary>Reads the reason out of a received message: Queueing.* attributes, an IoT rule error report, or nothing.</summary>
internal static class DeadLetterReader
{
    public const string DeadLetterQueueSourceArn = "DeadLetterQueueSourceArn";

    public static DeadLetter Read(Message message)
    {
        var attributes = message.MessageAttributes ?? [];
        var system = message.Attributes ?? [];
        var body = message.Body ?? "";
        var bodyFields = BodyFields.Read(body);
        var groupId = system.GetValueOrDefault("MessageGroupId");
        var sqsReceiveCount = Int(system.GetValueOrDefault("ApproximateReceiveCount"));

        var kind = Text(attributes, DeadLetterAttributes.Kind)?.ToLowerInvariant();
        string error;
        if (kind is not null)
        {
            error = Text(attributes, DeadLetterAttributes.Error) ?? "(no error text)";
        }
        else if (bodyFields.RuleFailure is not null)
        {
            kind = DeadLetterKindNames.RuleError;
            error = bodyFields.RuleFailure;
        }
        else
        {
            kind = DeadLetterKindNames.Unknown;
            error = "(no reason recorded: SQS moved it after maxReceiveCount receives; the consumer crashed, timed out or did not park it)";
        }

        var source = Text(attributes, DeadLetterAttributes.SourceQueue);
        return new DeadLetter
        {
            Message = message,
            Kind = kind,
            Error = error,
            // The parker writes "unknown" when the record named no source queue.
            SourceQueue = string.IsNullOrWhiteSpace(source) || source == "unknown" ? null : source,
            DeadLetterQueueSourceArn = system.GetValueOrDefault(DeadLetterQueueSourceArn),
            ReceiveCount = Int(Text(attributes, DeadLetterAttributes.ReceiveCount)) ?? sqsReceiveCount,
            FirstReceiveTime = IsoTime.TryParse(Text(attributes, DeadLetterAttributes.FirstReceiveTime), out var firstReceive)
                ? firstReceive
                : UnixMs(system.GetValueOrDefault("ApproximateFirstReceiveTimestamp")),
            SentTime = UnixMs(system.GetValueOrDefault("SentTimestamp")),
            Function = Text(attributes, DeadLetterAttributes.Function),
            RedriveCount = Int(Text(attributes, DeadLetterAttributes.RedriveCount)) ?? 0,
            Device = bodyFields.DeviceId ?? groupId ?? bodyFields.TopicDevice ?? bodyFields.ClientId,
            GroupId = groupId,
        };
    }

    /// <summary>The body's top-level <c>deviceId</c> (a string or a number), or null.</summary>
    public static string? DeviceIdOf(string body) => BodyFields.Read(body).DeviceId;

    private static string? Text(Dictionary<string, MessageAttributeValue> attributes, string name) =>
        attributes.TryGetValue(name, out var value) ? value.StringValue : null;

    private static int? Int(string? text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static DateTimeOffset? UnixMs(string? text) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    /// <summary>
    /// What the CLI reads from a JSON body: the top-level deviceId, an IoT rule error report, or the client id of the
    /// legacy rule's record (its device id: the device policy binds the client id to the thing name).
    /// </summary>
    private readonly record struct BodyFields(string? DeviceId, string? RuleFailure, string? TopicDevice, string? ClientId)
    {
        public static BodyFields Read(string body)
        {
            if (body.Length == 0 || body.TrimStart() is not ['{', ..])
            {
                return default;
            }

            try
            {
                using var document = JsonDocument.Parse(body);
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    return default;
                }

                var deviceId = root.TryGetProperty("deviceId", out var device) ? Scalar(device) : null;
                var clientId = root.TryGetProperty("clientId", out var client) && client.ValueKind == JsonValueKind.String ? client.GetString() : null;
                return new BodyFields(deviceId, RuleFailureOf(root), TopicDeviceOf(root, clientId), clientId);
            }
            catch (JsonException)
            {
                return default;
            }
        }

        private static string? Scalar(JsonElement element) => element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Number => element.GetRawText(),
            _ => null,
        };

        // IoT error action report: {"ruleName","topic","clientId","base64OriginalPayload","failures":[{"failedAction",
        // "failedResource","errorMessage"}]}.
        private static string? RuleFailureOf(JsonElement root)
        {
            if (!root.TryGetProperty("ruleName", out _) || !root.TryGetProperty("failures", out var failures) || failures.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var text = new StringBuilder();
            foreach (var failure in failures.EnumerateArray())
            {
                if (text.Length > 0)
                {
                    text.Append("; ");
                }

                var action = failure.TryGetProperty("failedAction", out var a) ? a.GetString() : null;
                var message = failure.TryGetProperty("errorMessage", out var m) ? m.GetString() : null;
                text.Append(action ?? "action").Append(": ").Append(message ?? "(no error message)");
            }

            return text.Length > 0 ? text.ToString() : "(rule error without failures)";
        }

        // The telemetry rule takes the device id from topic(2) (devices/{deviceId}/telemetry); a rule error report
        // carries the topic, so the device is its second level. The legacy rule's topics carry no device id: it takes
        // the client id, which the report carries too.
        private static string? TopicDeviceOf(JsonElement root, string? clientId)
        {
            if (!root.TryGetProperty("ruleName", out var rule) || !root.TryGetProperty("topic", out var topic) || topic.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            if (rule.ValueKind == JsonValueKind.String && rule.GetString()!.EndsWith("_LegacyTelemetryRule", StringComparison.Ordinal))
            {
                return clientId;
            }

            var levels = topic.GetString()!.Split('/');
            return levels.Length >= 2 && levels[1].Length > 0 ? levels[1] : null;
        }
    }
}
