using System.Buffers;
using System.Text.Json;

namespace Queueing.Actuate.Publisher;

/// <summary>
/// The <c>x-amz-mqtt5-user-properties</c> header of IoT Data Publish: a JSON array of single-pair objects
/// (<c>[{"commandId":"..."}]</c>), base64-encoded — the form the AWS SDKs send, since a header cannot carry raw JSON.
/// </summary>
internal static class MqttUserProperties
{
    public const string Header = "x-amz-mqtt5-user-properties";

    public static string Encode(IReadOnlyList<KeyValuePair<string, string>> properties)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var (key, value) in properties)
            {
                writer.WriteStartObject();
                writer.WriteString(key, value);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Convert.ToBase64String(buffer.WrittenSpan);
    }
}
