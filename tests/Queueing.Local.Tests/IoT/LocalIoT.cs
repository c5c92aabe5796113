using Amazon.SQS;
using Queueing.Emulators.IoT.Broker;
using Queueing.Emulators.IoT.Rules;

namespace Queueing.Local.Tests.IoT;

/// <summary>Broker + rules engine wired as the local stack wires them.</summary>
internal sealed class LocalIoT : IAsyncDisposable
{
    private LocalIoT(MqttBroker broker, TopicRuleEngine engine)
    {
        Broker = broker;
        Engine = engine;
    }

    public MqttBroker Broker { get; }

    public TopicRuleEngine Engine { get; }

    /// <summary>The broker enforces <paramref name="policy"/> (the template's device policy), <see cref="QueueingApplication.DevicePolicy"/> by default.</summary>
    public static async Task<LocalIoT> StartAsync(
        IAmazonSQS sqs, IReadOnlyList<TopicRuleDefinition> rules, DevicePolicy? policy = null, TimeProvider? time = null)
    {
        var engine = new TopicRuleEngine(rules, sqs);
        var broker = new MqttBroker(new MqttBrokerOptions { Policy = policy ?? QueueingApplication.DevicePolicy }, time);
        broker.AddSink(engine);
        await engine.StartAsync(CancellationToken.None);
        await broker.StartAsync(CancellationToken.None);
        return new LocalIoT(broker, engine);
    }

    public async ValueTask DisposeAsync()
    {
        await Broker.DisposeAsync();
        await Engine.StopAsync(CancellationToken.None);
        await Engine.DisposeAsync();
    }
}
