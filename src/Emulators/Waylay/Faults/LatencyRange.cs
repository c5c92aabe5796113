using System.Globalization;
using System.Text.RegularExpressions;

namespace Queueing.Emulators.Waylay.Faults;

/// <summary>
/// A fixed (<c>200ms</c>, <c>1s</c>) or random (<c>50ms-300ms</c>, <c>50-300ms</c>) delay, as given to
/// <c>--waylay-latency</c>.
/// </summary>
public readonly partial record struct LatencyRange(TimeSpan Min, TimeSpan Max)
{
    public static LatencyRange Zero => new(TimeSpan.Zero, TimeSpan.Zero);

    public static LatencyRange Fixed(TimeSpan delay) => new(delay, delay);

    /// <summary>Parses <c>N[ms|s]</c> or <c>N[ms|s]-M(ms|s)</c>; a bare number is milliseconds.</summary>
    public static bool TryParse(string? text, out LatencyRange range, out string problem)
    {
        range = Zero;
        problem = "";
        var match = text is null ? Match.Empty : Pattern().Match(text.Trim());
        if (!match.Success)
        {
            problem = $"'{text}' is not a latency: use e.g. 200ms, 1s or 50ms-300ms.";
            return false;
        }

        var maxUnit = match.Groups["maxUnit"].Success ? match.Groups["maxUnit"].Value : "";
        // In "50-300ms" the unit written once applies to both ends.
        var minUnit = match.Groups["minUnit"].Success ? match.Groups["minUnit"].Value : maxUnit;
        var min = ToTimeSpan(match.Groups["min"].Value, minUnit);
        var max = match.Groups["max"].Success ? ToTimeSpan(match.Groups["max"].Value, maxUnit) : min;
        if (max < min)
        {
            problem = $"'{text}': the upper bound is below the lower bound.";
            return false;
        }

        range = new LatencyRange(min, max);
        return true;
    }

    public static LatencyRange Parse(string text) =>
        TryParse(text, out var range, out var problem) ? range : throw new FormatException(problem);

    public override string ToString() =>
        Min == Max ? $"{Min.TotalMilliseconds:0}ms" : $"{Min.TotalMilliseconds:0}ms-{Max.TotalMilliseconds:0}ms";

    private static TimeSpan ToTimeSpan(string number, string unit)
    {
        var value = double.Parse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        return unit == "s" ? TimeSpan.FromSeconds(value) : TimeSpan.FromMilliseconds(value);
    }

    [GeneratedRegex(@"^(?<min>\d+(\.\d+)?)(?<minUnit>ms|s)?(-(?<max>\d+(\.\d+)?)(?<maxUnit>ms|s)?)?$")]
    private static partial Regex Pattern();
}
