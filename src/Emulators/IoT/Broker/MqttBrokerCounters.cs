using Queueing.Emulators.Hosting;

namespace Queueing.Emulators.IoT.Broker;

/// <summary>A snapshot of the broker's counts since start.</summary>
public sealed record MqttBrokerCounters : CounterSet<MqttBrokerCounters>
{
    public long Published;
    public long PublishesRejected;
    public long ConnectionsRejected;
    public long SubscriptionsRejected;
    public long ConnectedClients;
}
