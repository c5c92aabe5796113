namespace Queueing.Emulators.Waylay.Broker;

/// <summary>
/// Where the broker forwards events for the rule engine. Must not block: the broker answers the poster without
/// waiting for rules to run, as Waylay's broker does.
/// </summary>
internal interface IRuleEngineInbox
{
    void Forward(BrokerEvent message);
}
