using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Queueing.Emulators.Waylay.Faults;

namespace Queueing.Emulators.Waylay;

/// <summary>How to run the Waylay sandbox (see <see cref="WaylaySandbox"/>).</summary>
public sealed record WaylaySandboxOptions
{
    /// <summary>The Waylay API key data is posted with (HTTP Basic user name).</summary>
    public required string ApiKey { get; init; }

    /// <summary>The Waylay API secret (HTTP Basic password).</summary>
    public required string ApiSecret { get; init; }

    /// <summary>
    /// The Waylay side of the repository, <c>waylay/</c>: the rule templates to run (<c>templates/</c>), the plugs
    /// their actuators name (<c>plugins/</c>) and the schemas the templates must pass (<c>schemas/</c>).
    /// </summary>
    public required string WaylayDirectory { get; init; }

    /// <summary>The tenant's vault, as the plugs read it with <c>waylay.vault.get(key)</c>: what they call and the
    /// secrets they sign with.</summary>
    public IReadOnlyDictionary<string, string> Vault { get; init; } = new Dictionary<string, string>();

    /// <summary>The broker's loopback port; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary><c>--waylay-fail-rate</c>, <c>--waylay-throttle-rate</c>, <c>--waylay-latency</c>.</summary>
    public WaylayFaultOptions Faults { get; init; } = WaylayFaultOptions.None;

    public int MessagesPerResource { get; init; } = 100;

    /// <summary>Top-level event fields whose values the broker's counters tally, per value and last per resource
    /// (<see cref="Broker.BrokerSnapshot.Tallies"/>): what a caller wants counted, e.g. a status field.</summary>
    public IReadOnlyList<string> TalliedFields { get; init; } = [];

    /// <summary>Rule engine loops; a resource's events are always evaluated in order by one of them.</summary>
    public int RulePartitions { get; init; } = 4;

    public string NodeExecutable { get; init; } = "node";

    /// <summary>A plug that has not called <c>send</c> by then has failed.</summary>
    public TimeSpan PlugTimeout { get; init; } = TimeSpan.FromSeconds(50);

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public ILoggerFactory Loggers { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Every problem with these options, empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrEmpty(ApiKey) || ApiKey.Contains(':', StringComparison.Ordinal))
        {
            problems.Add("The Waylay API key must be non-empty and without ':' (it is the HTTP Basic user name).");
        }

        if (string.IsNullOrEmpty(ApiSecret))
        {
            problems.Add("The Waylay API secret must be non-empty.");
        }

        foreach (var (key, value) in Vault)
        {
            // A plug reading an empty entry would sign or call with nothing and fail far from the cause.
            if (string.IsNullOrEmpty(key) || string.IsNullOrEmpty(value))
            {
                problems.Add($"The vault entry '{key}' must have a non-empty key and value.");
            }
        }

        if (string.IsNullOrEmpty(WaylayDirectory))
        {
            problems.Add("The Waylay directory (waylay/) must be given.");
        }

        if (MessagesPerResource < 1)
        {
            problems.Add("Messages per resource must be at least 1.");
        }

        if (RulePartitions < 1)
        {
            problems.Add("Rule partitions must be at least 1.");
        }

        problems.AddRange(Faults.Validate());
        return problems;
    }
}
