using System.Threading.Channels;
using Queueing.Emulators.IoT.Broker;

namespace Queueing.Local.Tests.IoT;

/// <summary>Records what the broker hands to its sinks.</summary>
internal sealed class RecordingSink : IPublishedMessageSink
{
    private readonly Channel<PublishedMessage> _messages = Channel.CreateUnbounded<PublishedMessage>();

    public void Accept(PublishedMessage message) => _messages.Writer.TryWrite(message);

    public async Task<PublishedMessage> NextAsync()
    {
        using var cts = new CancellationTokenSource(MqttTestClient.Patience);
        return await _messages.Reader.ReadAsync(cts.Token);
    }

    public int Pending => _messages.Reader.Count;
}
