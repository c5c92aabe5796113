namespace Queueing.Local.Devices;

/// <summary>A snapshot of the simulated devices' counts: telemetry published (acknowledged by the broker), publishes
/// that failed (refused or not connected), commands received, devices connected now.</summary>
internal sealed record FleetCounters(long Published, long PublishFailures, long CommandsReceived, int Connected);
