using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Queueing.Emulators.Waylay.Rules;

internal sealed record RuleEngineOptions
{
    /// <summary>
    /// Independent evaluation loops. A resource always maps to the same loop, so its events are evaluated and its
    /// actuators run in the order the broker forwarded them, while other resources proceed in parallel.
    /// </summary>
    public int Partitions { get; init; } = 4;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public ILoggerFactory Loggers { get; init; } = NullLoggerFactory.Instance;
}
