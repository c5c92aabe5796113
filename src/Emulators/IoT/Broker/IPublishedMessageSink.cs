namespace Queueing.Emulators.IoT.Broker;

/// <summary>
/// Sees every message the broker accepts (from MQTT clients and from the IoT Data API), in the broker's receive
/// path: <see cref="Accept"/> must not block; queue any I/O. The topic rule engine is the sink in the local stack.
/// </summary>
public interface IPublishedMessageSink
{
    void Accept(PublishedMessage message);
}
