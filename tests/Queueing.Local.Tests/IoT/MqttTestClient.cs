using System.Buffers;
using System.Text;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace Queueing.Local.Tests.IoT;

/// <summary>A real MQTT client for tests: connects, subscribes, and queues what it receives.</summary>
internal sealed class MqttTestClient : IAsyncDisposable
{
    // A guard against a hung test, not a timing assertion.
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly IMqttClient _client;
    private readonly Channel<ReceivedMessage> _received = Channel.CreateUnbounded<ReceivedMessage>();

    private MqttTestClient(IMqttClient client)
    {
        _client = client;
        _client.ApplicationMessageReceivedAsync += args =>
        {
            var message = args.ApplicationMessage;
            _received.Writer.TryWrite(new ReceivedMessage(
                message.Topic,
                Encoding.UTF8.GetString(message.Payload.ToArray()),
                (int)message.QualityOfServiceLevel,
                message.UserProperties?.Select(p => KeyValuePair.Create(p.Name, p.ReadValueAsString())).ToArray() ?? [],
                message.MessageExpiryInterval));
            return Task.CompletedTask;
        };
    }

    public IMqttClient Client => _client;

    public static async Task<MqttTestClient> ConnectAsync(int port, string clientId, MqttProtocolVersion version = MqttProtocolVersion.V500)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(clientId)
            .WithProtocolVersion(version)
            .WithTimeout(Patience)
            .Build();
        using var cts = new CancellationTokenSource(Patience);
        var result = await client.ConnectAsync(options, cts.Token);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            client.Dispose();
            throw new InvalidOperationException($"Connect refused: {result.ResultCode} {result.ReasonString}");
        }

        return new MqttTestClient(client);
    }

    public async Task<MqttClientSubscribeResult> SubscribeAsync(string filter, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce)
    {
        using var cts = new CancellationTokenSource(Patience);
        return await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter, qos).Build(), cts.Token);
    }

    public async Task<MqttClientPublishResult> PublishAsync(string topic, string payload, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce)
    {
        using var cts = new CancellationTokenSource(Patience);
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(qos).Build();
        return await _client.PublishAsync(message, cts.Token);
    }

    public async Task<ReceivedMessage> ReceiveAsync()
    {
        using var cts = new CancellationTokenSource(Patience);
        return await _received.Reader.ReadAsync(cts.Token);
    }

    public bool TryReceive(out ReceivedMessage? message) => _received.Reader.TryRead(out message);

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            try
            {
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None);
            }
            catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
            {
                // The broker may already have closed the connection (a refused publish on MQTT 3.1.1).
            }
        }

        _client.Dispose();
    }

    public sealed record ReceivedMessage(string Topic, string Payload, int Qos, IReadOnlyList<KeyValuePair<string, string>> UserProperties, uint MessageExpiryInterval = 0);
}
