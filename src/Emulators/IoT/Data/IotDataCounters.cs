namespace Queueing.Local.IoT.Data;

/// <summary>A snapshot of the IoT Data endpoint's answers since start.</summary>
public sealed record IotDataCounters(long Published, long Forbidden, long BadRequests, long TooLarge);
