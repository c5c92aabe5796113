using System.Globalization;
using System.Text.RegularExpressions;

namespace Queueing.Emulators.Waylay.Broker;

/// <summary>
/// The broker's TTLDuration: whole seconds (<c>3600</c>), a number with a unit (<c>52w</c>, <c>7d</c>, <c>1h</c>,
/// <c>30m</c>, <c>10s</c>) or an ISO 8601 duration with D/H/M/S (<c>PT3H2M6.213S</c>), as the spec's
/// DurationSeconds, DurationWithUnit and ISO8601Duration define them.
/// </summary>
internal static partial class TtlDuration
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (Seconds().IsMatch(text))
        {
            return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                && TryFromSeconds(seconds, out duration);
        }

        var unit = WithUnit().Match(text);
        if (unit.Success)
        {
            if (!long.TryParse(unit.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return false;
            }

            var perUnit = unit.Groups[2].Value switch { "w" => 604800L, "d" => 86400L, "h" => 3600L, "m" => 60L, _ => 1L };
            return n <= long.MaxValue / perUnit && TryFromSeconds(n * perUnit, out duration);
        }

        var iso = Iso8601().Match(text);
        // "P" and "PT" alone match the spec's pattern but name no duration.
        if (!iso.Success || text is "P" || text.EndsWith('T'))
        {
            return false;
        }

        try
        {
            duration = TimeSpan.FromDays(Number(iso.Groups["d"]))
                + TimeSpan.FromHours(Number(iso.Groups["h"]))
                + TimeSpan.FromMinutes(Number(iso.Groups["m"]))
                + TimeSpan.FromSeconds(Number(iso.Groups["s"]));
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    private static bool TryFromSeconds(long seconds, out TimeSpan duration)
    {
        duration = seconds <= (long)TimeSpan.MaxValue.TotalSeconds ? TimeSpan.FromSeconds(seconds) : TimeSpan.Zero;
        return seconds <= (long)TimeSpan.MaxValue.TotalSeconds;
    }

    private static double Number(Group group) =>
        group.Success ? double.Parse(group.Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) : 0;

    [GeneratedRegex(@"^\d+$")]
    private static partial Regex Seconds();

    [GeneratedRegex(@"^(\d+)([wdhms])$")]
    private static partial Regex WithUnit();

    [GeneratedRegex(@"^P((?<d>\d+)D)?(T((?<h>\d+)H)?((?<m>\d+)M)?((?<s>\d+(\.\d+)?)S)?)?$")]
    private static partial Regex Iso8601();
}
