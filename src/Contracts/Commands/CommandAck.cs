using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Queueing.Contracts.Time;

namespace Queueing.Contracts.Commands;

/// <summary>What a device says about a command it carried out.</summary>
public enum CommandAckStatus
{
    /// <summary><c>"done"</c>: Waylay sees <c>acknowledged</c>.</summary>
    Done,
    /// <summary><c>"failed"</c>: Waylay sees <c>failed</c>.</summary>
    Failed,
}

/// <summary>
/// A device's acknowledgement, published with QoS 1 on its ack topic:
/// <c>{"commandId": "...", "status": "done" | "failed", "detail"?: "...", "acceptedAt"?: "..."}</c>. <c>commandId</c>
/// and <c>acceptedAt</c> are echoed from the MQTT 5 user properties of the command. The reader is strict: nothing
/// but those members, none twice, a known status, a detail of at most <see cref="MaxDetailLength"/> characters; an
/// <c>acceptedAt</c> that is no time is kept as text (the latency is then unknown), never a reason to refuse.
/// </summary>
public sealed record CommandAck(string CommandId, CommandAckStatus Status, string? Detail = null, string? AcceptedAt = null)
{
    public const int MaxDetailLength = 256;

    private static readonly string[] Members = ["commandId", "status", "detail", "acceptedAt"];

    /// <summary>What Waylay sees of this acknowledgement: <c>acknowledged</c> or <c>failed</c>.</summary>
    public CommandStatusKind WaylayStatus => Status == CommandAckStatus.Done ? CommandStatusKind.Acknowledged : CommandStatusKind.Failed;

    /// <summary><see cref="AcceptedAt"/> as a time, when it is one.</summary>
    public bool TryGetAcceptedAt(out DateTimeOffset acceptedAt) => IsoTime.TryParse(AcceptedAt, out acceptedAt);

    public byte[] ToUtf8()
    {
        var buffer = new ArrayBufferWriter<byte>(128 + (Detail?.Length ?? 0));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("commandId", CommandId);
            writer.WriteString("status", Status == CommandAckStatus.Done ? "done" : "failed");
            if (Detail is not null)
            {
                writer.WriteString("detail", Detail);
            }

            if (AcceptedAt is not null)
            {
                writer.WriteString("acceptedAt", AcceptedAt);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a device's payload; <paramref name="error"/> names every reason it is no acknowledgement.</summary>
    public static bool TryRead(ReadOnlyMemory<byte> payload, [NotNullWhen(true)] out CommandAck? ack, [NotNullWhen(false)] out string? error)
    {
        ack = null;
        if (!StrictJson.TryParseObject(payload, "the acknowledgement", out var document, out error))
        {
            return false;
        }

        using var owned = document;

        var root = document.RootElement;
        var problems = new List<string>();
        StrictJson.RefuseUnknown(root, Members, problems);
        var commandId = CommandIds.Read(root, problems);

        var statusText = StrictJson.String(root, "status", required: true, problems);
        var status = CommandAckStatus.Done;
        if (statusText is "failed")
        {
            status = CommandAckStatus.Failed;
        }
        else if (statusText is not null and not "done")
        {
            problems.Add($"status '{StrictJson.Shorten(statusText)}' is neither done nor failed");
        }

        var detail = StrictJson.String(root, "detail", required: false, problems);
        if (detail is not null && detail.Length > MaxDetailLength)
        {
            problems.Add($"detail is {detail.Length} characters, over {MaxDetailLength}");
        }

        var acceptedAt = StrictJson.String(root, "acceptedAt", required: false, problems);
        if (problems.Count > 0)
        {
            error = "acknowledgement: " + string.Join("; ", problems);
            return false;
        }

        ack = new CommandAck(commandId!, status, detail, acceptedAt);
        error = null;
        return true;
    }
}
