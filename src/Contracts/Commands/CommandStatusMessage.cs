using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using Queueing.Contracts.Devices;
using Queueing.Contracts.Sqs;
using Queueing.Contracts.Time;

namespace Queueing.Contracts.Commands;

/// <summary>
/// A command's fate as the command publisher reports it on IngestQueue:
/// <c>{"commandEvent": "published" | "expired" | "rejected" | "undelivered" | "ackDue", "deviceId", "commandId", "acceptedAt", "at", "detail"?}</c>,
/// times in <see cref="IsoTime"/>'s format. The publisher writes it; Ingest reads it strictly (every member known,
/// none twice, each of its kind) and turns it into one Waylay event on the device's resource. docs/commands.md.
/// </summary>
public sealed record CommandStatusMessage(
    CommandStatusKind Kind,
    string DeviceId,
    string CommandId,
    DateTimeOffset AcceptedAt,
    DateTimeOffset At,
    string? Detail = null)
{
    /// <summary>A longer detail (a parking reason) is cut to this many characters by the writer.</summary>
    public const int MaxDetailLength = 1024;

    public const string CommandEventField = "commandEvent";

    /// <summary><see cref="CommandEventField"/> in UTF-8, for readers that match names without decoding them.</summary>
    public static ReadOnlySpan<byte> CommandEventFieldUtf8 => "commandEvent"u8;

    private static readonly string[] Members = [CommandEventField, "deviceId", "commandId", "acceptedAt", "at", "detail"];

    /// <summary>The message's UTF-8 JSON. Device and command id are written as given (the publisher read them
    /// from a command it accepted); a detail is cleaned of characters SQS refuses and cut to <see cref="MaxDetailLength"/>.</summary>
    public byte[] ToUtf8()
    {
        if (!CommandStatusKinds.SentByPublisher.Contains(Kind))
        {
            throw new InvalidOperationException($"{Kind.ToWire()} comes from a device's acknowledgement; the publisher sends no status message of it.");
        }

        var buffer = new ArrayBufferWriter<byte>(256 + (Detail?.Length ?? 0));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString(CommandEventField, Kind.ToWire());
            writer.WriteString("deviceId", DeviceId);
            writer.WriteString("commandId", CommandId);
            writer.WriteString("acceptedAt", IsoTime.Format(AcceptedAt));
            writer.WriteString("at", IsoTime.Format(At));
            if (Detail is not null)
            {
                writer.WriteString("detail", SqsText.Cut(SqsText.Clean(Detail), MaxDetailLength));
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The JSON as text, the form an SQS message body takes.</summary>
    public string ToJson() => Encoding.UTF8.GetString(ToUtf8());

    /// <summary>
    /// Reads a status message; <paramref name="error"/> says every reason it is not one (Ingest parks it as malformed
    /// with that reason). A <c>commandEvent</c> Ingest does not know is such a reason.
    /// </summary>
    public static bool TryRead(ReadOnlyMemory<byte> utf8, [NotNullWhen(true)] out CommandStatusMessage? message, [NotNullWhen(false)] out string? error)
    {
        message = null;
        if (!StrictJson.TryParseObject(utf8, "the status message", out var document, out error))
        {
            return false;
        }

        using var owned = document;

        var root = document.RootElement;
        var problems = new List<string>();
        StrictJson.RefuseUnknown(root, Members, problems);
        var kindText = StrictJson.String(root, CommandEventField, required: true, problems);
        var kind = default(CommandStatusKind);
        if (kindText is not null && !CommandStatusKinds.TryParseSentByPublisher(kindText, out kind))
        {
            problems.Add($"commandEvent '{StrictJson.Shorten(kindText)}' is not one Ingest knows ({string.Join(", ", CommandStatusKinds.SentByPublisher.Select(k => k.ToWire()))}, or {CommandStatusKinds.Ack} from the ack rule)");
        }

        var deviceId = StrictJson.String(root, "deviceId", required: true, problems);
        if (deviceId is not null && !ThingName.IsValid(deviceId))
        {
            problems.Add($"deviceId '{StrictJson.Shorten(deviceId)}' is not a thing name ({ThingName.Rule})");
        }

        var commandId = CommandIds.Read(root, problems);

        var acceptedAt = Time(root, "acceptedAt", problems);
        var at = Time(root, "at", problems);
        var detail = StrictJson.String(root, "detail", required: false, problems);
        if (detail is not null && detail.Length > MaxDetailLength)
        {
            problems.Add($"detail is {detail.Length} characters, over {MaxDetailLength}");
        }

        if (problems.Count > 0)
        {
            error = "status message: " + string.Join("; ", problems);
            return false;
        }

        message = new CommandStatusMessage(kind, deviceId!, commandId!, acceptedAt, at, detail);
        error = null;
        return true;
    }

    private static DateTimeOffset Time(JsonElement root, string name, List<string> problems)
    {
        var text = StrictJson.String(root, name, required: true, problems);
        if (text is null)
        {
            return default;
        }

        if (IsoTime.TryParse(text, out var time))
        {
            return time;
        }

        problems.Add($"{name} '{StrictJson.Shorten(text)}' is not an ISO 8601 time");
        return default;
    }
}
