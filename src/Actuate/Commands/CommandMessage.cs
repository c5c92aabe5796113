using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using Queueing.Contracts.Devices;
using Queueing.Contracts.Time;

namespace Queueing.Actuate.Commands;

/// <summary>
/// The JSON body of a command in <c>CommandQueue.fifo</c>:
/// <c>{"commandId","deviceId","topic","qos","payload","acceptedAt","expiresAt"}</c>. The payload is embedded as
/// the caller's raw JSON text, never re-serialised, so the device receives exactly what was sent. <c>topic</c> is
/// written for people reading a queue or a DLQ; a reader derives the topic from <c>deviceId</c> instead.
/// </summary>
internal static class CommandMessage
{
    private static readonly JsonDocumentOptions ReadOptions = new() { AllowDuplicateProperties = false };

    public static string Serialize(Command command)
    {
        var buffer = new ArrayBufferWriter<byte>(command.PayloadJson.Length + 512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("commandId", command.CommandId);
            writer.WriteString("deviceId", command.DeviceId);
            writer.WriteString("topic", command.Topic);
            writer.WriteNumber("qos", command.Qos);
            writer.WritePropertyName("payload");
            // Already parsed (and size-checked) by the API; validating again would only cost time.
            writer.WriteRawValue(command.PayloadJson, skipInputValidation: true);
            writer.WriteString("acceptedAt", IsoTime.Format(command.AcceptedAt));
            writer.WriteString("expiresAt", IsoTime.Format(command.ExpiresAt));
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// Reads a queue message body; <paramref name="error"/> says what makes it unusable (it is then malformed). The
    /// command's topic is derived from its device id with <paramref name="topics"/>, never read from the body: the
    /// body's own <c>topic</c> (optional) comes out as <paramref name="recordedTopic"/>, for the caller to compare.
    /// </summary>
    public static bool TryParse(
        string body,
        CommandTopicTemplate topics,
        [NotNullWhen(true)] out Command? command,
        out string? recordedTopic,
        [NotNullWhen(false)] out string? error) =>
        TryParse(body, default, topics, out command, out recordedTopic, out error);

    /// <summary>The same, from the UTF-8 body as the event reader hands it over (no string of the body).</summary>
    public static bool TryParse(
        ReadOnlyMemory<byte> body,
        CommandTopicTemplate topics,
        [NotNullWhen(true)] out Command? command,
        out string? recordedTopic,
        [NotNullWhen(false)] out string? error) =>
        TryParse(null, body, topics, out command, out recordedTopic, out error);

    private static bool TryParse(
        string? text,
        ReadOnlyMemory<byte> utf8,
        CommandTopicTemplate topics,
        [NotNullWhen(true)] out Command? command,
        out string? recordedTopic,
        [NotNullWhen(false)] out string? error)
    {
        command = null;
        recordedTopic = null;
        try
        {
            using var document = text is null ? JsonDocument.Parse(utf8, ReadOptions) : JsonDocument.Parse(text, ReadOptions);
            return TryRead(document.RootElement, topics, out command, out recordedTopic, out error);
        }
        catch (JsonException ex)
        {
            error = $"The body is not valid JSON: {ex.Message}";
            return false;
        }
        // An escaped lone surrogate (\uD800) is JSON syntax but cannot become a string.
        catch (InvalidOperationException ex)
        {
            error = $"The body is not valid JSON text: {ex.Message}";
            return false;
        }
    }

    private static bool TryRead(JsonElement root, CommandTopicTemplate topics, [NotNullWhen(true)] out Command? command, out string? recordedTopic, [NotNullWhen(false)] out string? error)
    {
        command = null;
        recordedTopic = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = $"The body is a JSON {root.ValueKind.ToString().ToLowerInvariant()}; a command is an object.";
            return false;
        }

        var problems = new List<string>();
        var commandId = String(root, "commandId", problems);
        var deviceId = String(root, "deviceId", problems);
        if (root.TryGetProperty("topic", out _))
        {
            recordedTopic = String(root, "topic", problems);
        }

        var acceptedAt = Time(root, "acceptedAt", problems);
        var expiresAt = Time(root, "expiresAt", problems);
        if (deviceId is not null && !ThingName.IsValid(deviceId))
        {
            problems.Add($"deviceId must be {ThingName.Rule}");
        }

        var qos = 0;
        if (!root.TryGetProperty("qos", out var qosElement) || qosElement.ValueKind != JsonValueKind.Number || !qosElement.TryGetInt32(out qos) || qos is not (0 or 1))
        {
            problems.Add("qos must be 0 or 1");
        }

        string? payload = null;
        if (root.TryGetProperty("payload", out var payloadElement))
        {
            payload = payloadElement.GetRawText();
        }
        else
        {
            problems.Add("payload is missing");
        }

        if (problems.Count > 0)
        {
            error = "The command is malformed: " + string.Join("; ", problems) + ".";
            return false;
        }

        command = new Command(commandId!, deviceId!, topics.TopicFor(deviceId!), qos, payload!, acceptedAt, expiresAt);
        error = null;
        return true;
    }

    private static string? String(JsonElement root, string name, List<string> problems)
    {
        if (root.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String && element.GetString() is { Length: > 0 } value)
        {
            return value;
        }

        problems.Add($"{name} must be a non-empty string");
        return null;
    }

    private static DateTimeOffset Time(JsonElement root, string name, List<string> problems)
    {
        if (root.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String && IsoTime.TryParse(element.GetString(), out var time))
        {
            return time;
        }

        problems.Add($"{name} must be an ISO 8601 time");
        return default;
    }
}
