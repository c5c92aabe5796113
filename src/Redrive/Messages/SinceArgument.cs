using System.Globalization;
using System.Text.RegularExpressions;

namespace Queueing.Redrive.Messages;

/// <summary>
/// Parses --since: an ISO 8601 time (<c>2026-11-27T08:00Z</c>, <c>2026-11-27</c>; UTC unless an offset is given)
/// or an age counted back from now (<c>90s</c>, <c>30m</c>, <c>2h</c>, <c>3d</c>, <c>1h30m</c>).
/// </summary>
internal static partial class SinceArgument
{
    public static DateTimeOffset Parse(string text, TimeProvider time)
    {
        var trimmed = text.Trim();
        var relative = RelativePattern().Match(trimmed);
        if (relative.Success && trimmed.Length > 0)
        {
            var age = TimeSpan.Zero;
            foreach (Capture part in relative.Groups["part"].Captures)
            {
                var unit = part.Value[^1];
                var amount = double.Parse(part.Value[..^1], CultureInfo.InvariantCulture);
                age += unit switch
                {
                    's' => TimeSpan.FromSeconds(amount),
                    'm' => TimeSpan.FromMinutes(amount),
                    'h' => TimeSpan.FromHours(amount),
                    _ => TimeSpan.FromDays(amount),
                };
            }

            return time.GetUtcNow() - age;
        }

        if (DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var absolute))
        {
            return absolute;
        }

        throw new UsageException($"--since '{text}' is neither an ISO 8601 time (2026-11-27T08:00Z) nor an age (30m, 2h, 3d).");
    }

    [GeneratedRegex(@"^(?<part>\d+(\.\d+)?[smhd])+$", RegexOptions.CultureInvariant)]
    private static partial Regex RelativePattern();
}
