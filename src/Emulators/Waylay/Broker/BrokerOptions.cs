using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Queueing.Emulators.Waylay.Faults;

namespace Queueing.Emulators.Waylay.Broker;

/// <summary>How to run the sandbox's broker API.</summary>
internal sealed record BrokerOptions
{
    /// <summary>The Waylay API key the callers authenticate with (HTTP Basic user name).</summary>
    public required string ApiKey { get; init; }

    /// <summary>The Waylay API secret (HTTP Basic password).</summary>
    public required string ApiSecret { get; init; }

    /// <summary>Loopback port to listen on; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Messages kept per resource (the broker's default is 100).</summary>
    public int MessagesPerResource { get; init; } = 100;

    /// <summary>Top-level event fields whose values the counters tally (see <see cref="BrokerSnapshot.Tallies"/>).</summary>
    public IReadOnlyList<string> TalliedFields { get; init; } = [];

    public WaylayFaultOptions Faults { get; init; } = WaylayFaultOptions.None;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public ILoggerFactory Loggers { get; init; } = NullLoggerFactory.Instance;
}
