using Microsoft.Extensions.Time.Testing;
using Queueing.Redrive.Cli;
using Queueing.Redrive.Messages;

namespace Queueing.Redrive.Tests.Messages;

public sealed class SinceArgumentTests
{
    private static readonly FakeTimeProvider Now = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData("90s", "2026-11-27T11:58:30Z")]
    [InlineData("30m", "2026-11-27T11:30:00Z")]
    [InlineData("2h", "2026-11-27T10:00:00Z")]
    [InlineData("1h30m", "2026-11-27T10:30:00Z")]
    [InlineData("3d", "2026-11-24T12:00:00Z")]
    [InlineData("2026-11-27T08:00Z", "2026-11-27T08:00:00Z")]
    [InlineData("2026-11-27", "2026-11-27T00:00:00Z")]
    [InlineData("2026-11-27T09:00:00+01:00", "2026-11-27T08:00:00Z")]
    public void Parse_AgeOrTime_GivesTheInstant(string text, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), SinceArgument.Parse(text, Now));

    [Theory]
    [InlineData("yesterday")]
    [InlineData("5 minutes")]
    [InlineData("h")]
    public void Parse_Nonsense_IsAUsageError(string text) =>
        Assert.Throws<UsageException>(() => SinceArgument.Parse(text, Now));
}
