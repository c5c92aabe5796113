using System.Globalization;

namespace Queueing.Local.Devices;

/// <summary>What a device answers to one command: an ack with status <c>done</c> or <c>failed</c>, or nothing.</summary>
internal enum AckOutcome
{
    Done,
    Failed,
    Silent,
}

/// <summary>
/// How the simulated devices acknowledge (<c>up --ack-failure-rate</c>, <c>--ack-silence-rate</c>): for each command a
/// device draws one number from its own generator, seeded from its index in its group, so a run's answers repeat
/// exactly: below <see cref="FailureRate"/> it acks <c>failed</c>, below <see cref="FailureRate"/> +
/// <see cref="SilenceRate"/> it stays silent, otherwise it acks <c>done</c>.
/// </summary>
internal sealed record AckBehaviour(double FailureRate, double SilenceRate)
{
    /// <summary>The <c>detail</c> of a simulated failure.</summary>
    public const string FailureDetail = "simulated failure (--ack-failure-rate)";

    public static AckBehaviour AlwaysDone { get; } = new(0, 0);

    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        foreach (var (option, rate) in new[] { ("--ack-failure-rate", FailureRate), ("--ack-silence-rate", SilenceRate) })
        {
            if (double.IsNaN(rate) || rate is < 0 or > 1)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"{option} must be between 0 and 1 (got {rate})."));
            }
        }

        if (problems.Count == 0 && FailureRate + SilenceRate > 1)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"--ack-failure-rate and --ack-silence-rate add up to more than 1 ({FailureRate} + {SilenceRate})."));
        }

        return problems;
    }

    /// <summary>The generator of the device at <paramref name="index"/> (from 0) of its group.</summary>
    public static Random GeneratorFor(int index) => new(index);

    /// <summary>The outcome for <paramref name="draw"/>, a number in [0, 1).</summary>
    public AckOutcome Outcome(double draw) =>
        draw < FailureRate ? AckOutcome.Failed : draw < FailureRate + SilenceRate ? AckOutcome.Silent : AckOutcome.Done;
}
