using System.Text.Json;
using Queueing.Contracts.Commands;

namespace Queueing.Redrive.Messages;

/// <summary>
/// What a parked message carries, read from its body (issue 15): <c>command-ack</c> (a device's acknowledgement, as
/// the ack topic rule records it: <c>"commandEvent":"ack"</c>), <c>command-status</c> (a status message of the
/// command publisher: any other <c>commandEvent</c>), <c>command</c> (a CommandQueue message: it has a message group,
/// or a body with <c>commandId</c> and <c>expiresAt</c>), else <c>telemetry</c> (including what the topic rules
/// recorded of it and bodies that are not JSON).
/// </summary>
internal static class MessageContents
{
    public const string Telemetry = "telemetry";
    public const string Command = "command";
    public const string CommandAck = "command-ack";
    public const string CommandStatus = "command-status";

    public static IReadOnlyList<string> All { get; } = [Telemetry, Command, CommandAck, CommandStatus];

    /// <param name="groupId">The message's MessageGroupId: only CommandQueue and its DLQ are FIFO queues.</param>
    public static string Of(string body, string? groupId)
    {
        if (body.TrimStart() is ['{', ..])
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                var root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty(CommandStatusMessage.CommandEventField, out var commandEvent))
                {
                    return commandEvent.ValueKind == JsonValueKind.String && commandEvent.GetString() == CommandStatusKinds.Ack ? CommandAck : CommandStatus;
                }

                if (groupId is null && root.ValueKind == JsonValueKind.Object && root.TryGetProperty("commandId", out _) && root.TryGetProperty("expiresAt", out _))
                {
                    return Command;
                }
            }
            catch (JsonException)
            {
                // Not JSON: what Ingest parks as malformed telemetry.
            }
        }

        return groupId is not null ? Command : Telemetry;
    }

    /// <summary><c>telemetry 3, command-ack 1</c> in <see cref="All"/>'s order; <c>-</c> when nothing was read.</summary>
    public static string Describe(IReadOnlyDictionary<string, int> counts) =>
        counts.Count == 0 ? "-" : string.Join(", ", All.Where(counts.ContainsKey).Select(c => $"{c} {counts[c]}"));
}
