using Queueing.Emulators.Hosting;

namespace Queueing.Emulators.IoT.Data;

/// <summary>A snapshot of the IoT Data endpoint's answers since start.</summary>
public sealed record IotDataCounters : CounterSet<IotDataCounters>
{
    public long Published;
    public long Forbidden;
    public long BadRequests;
    public long TooLarge;
}

/// <summary>
/// One accepted publish as the endpoint saw it: the topic and the X-Ray trace header (<c>X-Amzn-Trace-Id</c>) it
/// came with, if any. IoT Core does not trace; this is what a test reads to follow a command's trace to the publish.
/// </summary>
public sealed record IotDataPublish(string Topic, string? TraceHeader);
