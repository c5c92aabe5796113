using System.Text.Json;

namespace Queueing.Shared.DeadLetters;

/// <summary>
/// The device a record is about, for the log line that parks it: the body's top-level <c>deviceId</c> (the IoT
/// rule sets it on telemetry, the command API on commands), else the FIFO message group (a command's device).
/// Read only when parking, which is rare; a body that is not JSON has no device beyond its group.
/// </summary>
internal static class RecordDevice
{
    public const string Unknown = "unknown";

    public static string Of(ReadOnlySpan<byte> body, string? messageGroupId) =>
        TopLevelDeviceId(body) ?? (string.IsNullOrEmpty(messageGroupId) ? Unknown : messageGroupId);

    private static string? TopLevelDeviceId(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isDeviceId = reader.ValueTextEquals("deviceId"u8);
                reader.Read();
                if (isDeviceId && reader.TokenType == JsonTokenType.String)
                {
                    return reader.GetString();
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Malformed beyond the part read: no device from the body.
        }

        return null;
    }
}
