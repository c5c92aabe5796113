using System.Globalization;

namespace Queueing.Contracts.Time;

/// <summary>
/// ISO 8601 UTC with milliseconds (<c>2025-11-28T00:00:00.000Z</c>): the contract's time format, in command
/// messages and their attributes and in the DLQ's <c>Queueing.FirstReceiveTime</c>.
/// </summary>
public static class IsoTime
{
    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Any ISO 8601 date-time; without an offset it is UTC.</summary>
    public static bool TryParse(string? text, out DateTimeOffset time) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);

    /// <summary>Drops sub-millisecond ticks, so a time survives a round trip through <see cref="Format"/>.</summary>
    public static DateTimeOffset TruncateToMilliseconds(DateTimeOffset time) =>
        DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());
}
