namespace Queueing.Local.Devices;

/// <summary>
/// The simulated light level: a sine wave around <see cref="Threshold"/> (so Waylay's Above/Below rule fires both
/// ways within every <see cref="PeriodMessages"/> messages), each device a phase apart, with seeded jitter so runs
/// repeat exactly.
/// </summary>
internal sealed record LightSignal
{
    public double Threshold { get; init; } = 350;

    public double Amplitude { get; init; } = 120;

    public int PeriodMessages { get; init; } = 20;

    public double Jitter { get; init; } = 15;

    public int Seed { get; init; } = 350;

    /// <summary>The value of message <paramref name="n"/> (from 0) of device <paramref name="index"/> (from 0) of
    /// <paramref name="count"/>.</summary>
    public int ValueAt(int n, int index, int count)
    {
        var phase = (double)n / PeriodMessages + (double)index / Math.Max(count, 1);
        // A fixed arithmetic seed (HashCode.Combine is randomised per process) keeps runs repeatable.
        var jitter = new Random(unchecked((Seed * 1_000_003) + (index * 10_007) + n)).NextDouble() * 2 - 1;
        return (int)Math.Round(Threshold + Amplitude * Math.Sin(2 * Math.PI * phase) + Jitter * jitter);
    }
}
