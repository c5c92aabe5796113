using Queueing.Emulators.Waylay.Faults;
using Queueing.Local.Aws;
using Queueing.Local.Devices;

namespace Queueing.Local.Up;

/// <summary>What the <see cref="EmulatedStack"/> runs: plain values, read from the command line by <c>up</c>
/// (<see cref="UpRun"/>), which also turns the stack's exceptions into exit codes.</summary>
internal sealed record EmulatedStackOptions
{
    /// <summary>The SAM template, a file that exists.</summary>
    public required string TemplatePath { get; init; }

    public IReadOnlyDictionary<string, string> ParameterOverrides { get; init; } = new Dictionary<string, string>();

    /// <summary>A running moto-compatible endpoint; null starts moto_server.</summary>
    public Uri? AwsEndpoint { get; init; }

    /// <summary>Run the function executables as last built.</summary>
    public bool NoBuild { get; init; }

    public string Configuration { get; init; } = "Debug";

    public LocalSecrets Secrets { get; init; } = new();

    /// <summary>Simulated devices (<c>device-001</c>...).</summary>
    public int Devices { get; init; } = 5;

    /// <summary>Simulated devices of the replaced setup (<c>legacy-001</c>...): envelopes on the template's legacy topic.</summary>
    public int LegacyDevices { get; init; }

    /// <summary>Time between two telemetry messages of one device.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Each device sends this many messages; null: until stopped.</summary>
    public int? MessagesPerDevice { get; init; }

    /// <summary>How the simulated devices acknowledge their commands.</summary>
    public AckBehaviour Acks { get; init; } = AckBehaviour.AlwaysDone;

    /// <summary>Execution environments per function (Lambda's concurrency).</summary>
    public int Concurrency { get; init; } = 1;

    public WaylayFaultOptions WaylayFaults { get; init; } = WaylayFaultOptions.None;

    /// <summary>How long a message a function reported as failed stays invisible; null keeps the queue's
    /// VisibilityTimeout (see <see cref="UpOptions.RetryDelay"/>).</summary>
    public TimeSpan? RetryDelay { get; init; }

    /// <summary>The tool's own environment, of which the functions get what Lambda would give them (PATH, HOME, ...).</summary>
    public IReadOnlyDictionary<string, string> HostEnvironment { get; init; } = new Dictionary<string, string>();

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
