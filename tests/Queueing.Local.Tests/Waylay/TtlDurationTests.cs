using Queueing.Emulators.Waylay.Broker;

namespace Queueing.Local.Tests.Waylay;

public sealed class TtlDurationTests
{
    [Theory]
    [InlineData("3600", 3600)]
    [InlineData("0", 0)]
    [InlineData("52w", 52 * 7 * 86400)]
    [InlineData("7d", 7 * 86400)]
    [InlineData("2h", 7200)]
    [InlineData("30m", 1800)]
    [InlineData("10s", 10)]
    [InlineData("PT3H2M6.5S", 3 * 3600 + 2 * 60 + 6.5)]
    [InlineData("P1D", 86400)]
    [InlineData("P1DT1S", 86401)]
    public void TryParse_SpecFormats_Parse(string text, double seconds)
    {
        Assert.True(TtlDuration.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("1y")]
    [InlineData("P")]
    [InlineData("PT")]
    [InlineData("P1W")]
    [InlineData("1.5h")]
    [InlineData("99999999999999999999")]
    public void TryParse_OtherText_IsRefused(string text)
    {
        Assert.False(TtlDuration.TryParse(text, out _));
    }
}
