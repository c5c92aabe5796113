using System.Text.Json;

namespace Queueing.Emulators.IoT.Sql;

/// <summary>
/// One published message as the rules see it. The payload is parsed as JSON at most once, however many rules
/// evaluate it; dispose after the last rule.
/// </summary>
internal sealed class SqlMessage : IDisposable
{
    /// <summary>What <c>clientid()</c> returns for a message that did not arrive over MQTT (AWS documents "n/a").</summary>
    public const string NotMqttClientId = "n/a";

    private JsonDocument? _document;
    private bool _parsed;

    public SqlMessage(string topic, ReadOnlyMemory<byte> payload, string? clientId, long timestampMs)
    {
        Topic = topic;
        Payload = payload;
        ClientId = clientId ?? NotMqttClientId;
        TimestampMs = timestampMs;
    }

    public string Topic { get; }

    public ReadOnlyMemory<byte> Payload { get; }

    public string ClientId { get; }

    public long TimestampMs { get; }

    /// <summary>The payload's JSON root, or false when the payload is not JSON (binary, text, empty).</summary>
    internal bool TryGetJson(out JsonElement root)
    {
        if (!_parsed)
        {
            _parsed = true;
            try
            {
                _document = JsonDocument.Parse(Payload);
            }
            catch (JsonException)
            {
                _document = null;
            }
        }

        root = _document?.RootElement ?? default;
        return _document is not null;
    }

    public void Dispose() => _document?.Dispose();
}
