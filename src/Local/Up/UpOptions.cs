using Queueing.Emulators.Waylay.Faults;
using Queueing.Local.Cli;
using Queueing.Local.Devices;

namespace Queueing.Local.Up;

/// <summary>How the terminal shows a running stack.</summary>
internal enum UpView
{
    /// <summary>A live Spectre.Console view, redrawn in place (an interactive terminal).</summary>
    Live,

    /// <summary>One status line every few seconds (a log, CI, a redirected stdout).</summary>
    Plain,
}

/// <summary>What <c>up</c> was asked for.</summary>
internal sealed record UpOptions : StackRequest
{
    /// <summary>Simulated devices (<c>device-001</c>...).</summary>
    public int Devices { get; init; } = 5;

    /// <summary>Simulated devices of the replaced setup (<c>legacy-001</c>...): envelopes on the template's legacy topic.</summary>
    public int LegacyDevices { get; init; }

    /// <summary>Time between two telemetry messages of one device.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Bounded run: each device sends this many messages, then the stack drains and stops.</summary>
    public int? MessagesPerDevice { get; init; }

    /// <summary>Bounded run: devices publish for this long, then the stack drains and stops.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Execution environments per function (Lambda's concurrency).</summary>
    public int Concurrency { get; init; } = 1;

    public WaylayFaultOptions WaylayFaults { get; init; } = WaylayFaultOptions.None;

    /// <summary>How the simulated devices acknowledge: <c>--ack-failure-rate</c>, <c>--ack-silence-rate</c>.</summary>
    public AckBehaviour Acks { get; init; } = AckBehaviour.AlwaysDone;

    /// <summary>How long a message a function reported as failed stays invisible before SQS redelivers it; null keeps
    /// the queue's VisibilityTimeout as Lambda does (minutes for IngestQueue). The default, 20 s, is longer than the
    /// ingest function's 15 s circuit break: a message failed fast by an open circuit is retried after the circuit
    /// half-opens, as on AWS; a shorter delay burns through maxReceiveCount while the circuit is open and dead-letters
    /// what AWS would have delivered.</summary>
    public TimeSpan? RetryDelay { get; init; } = DefaultRetryDelay;

    public static TimeSpan DefaultRetryDelay { get; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a bounded run waits, after the devices stopped, for every message to be accounted for.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(120);

    public UpView View { get; init; } = UpView.Live;

    /// <summary>Plain view: time between two status lines.</summary>
    public TimeSpan StatusInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>At the end, the run's figures as one JSON object on stdout (the summary then goes to stderr).</summary>
    public bool Json { get; init; }

    /// <summary>Where the functions' and the stack's logs go; null: a file in the temp folder.</summary>
    public string? LogFile { get; init; }

    public bool Bounded => MessagesPerDevice is not null || Duration is not null;

    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Devices is < 1 or > 1000)
        {
            problems.Add($"--devices must be between 1 and 1000 (got {Devices}).");
        }

        if (LegacyDevices is < 0 or > 1000)
        {
            problems.Add($"--legacy-devices must be between 0 and 1000 (got {LegacyDevices}).");
        }

        if (Concurrency is < 1 or > 64)
        {
            problems.Add($"--concurrency must be between 1 and 64 (got {Concurrency}).");
        }

        if (MessagesPerDevice is < 1)
        {
            problems.Add($"--messages must be at least 1 (got {MessagesPerDevice}).");
        }

        if (Duration is { } duration && duration <= TimeSpan.Zero)
        {
            problems.Add("--duration must be positive.");
        }

        if (Interval < TimeSpan.Zero)
        {
            problems.Add("--interval must not be negative.");
        }

        if (RetryDelay is { } retry && (retry < TimeSpan.Zero || retry > TimeSpan.FromHours(12)))
        {
            problems.Add("--retry-delay must be between 0 and 12 hours (SQS's visibility timeout range).");
        }

        problems.AddRange(WaylayFaults.Validate());
        problems.AddRange(Acks.Validate());
        return problems;
    }
}
