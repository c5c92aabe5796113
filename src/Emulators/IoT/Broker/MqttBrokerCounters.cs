namespace Queueing.Local.IoT.Broker;

/// <summary>A snapshot of the broker's counts since start.</summary>
public sealed record MqttBrokerCounters(
    long Published,
    long PublishesRejected,
    long ConnectionsRejected,
    long SubscriptionsRejected,
    long ConnectedClients);
