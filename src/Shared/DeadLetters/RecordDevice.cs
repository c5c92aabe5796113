using System.Text.Json;
using Queueing.Contracts.Json;

namespace Queueing.Shared.DeadLetters;

/// <summary>
/// The device a record is about, for the log line that parks it: the body's top-level <c>deviceId</c> (the IoT
/// rule sets it on telemetry, the command API on commands), else the FIFO message group (a command's device).
/// Read only when parking, which is rare; a body that is not JSON has no device beyond its group.
/// </summary>
internal static class RecordDevice
{
    public const string Unknown = "unknown";

    private static readonly JsonReaderOptions SkipComments = new() { CommentHandling = JsonCommentHandling.Skip };

    public static string Of(ReadOnlySpan<byte> body, string? messageGroupId) =>
        TopLevelMember.String(body, "deviceId"u8, SkipComments) ?? (string.IsNullOrEmpty(messageGroupId) ? Unknown : messageGroupId);
}
