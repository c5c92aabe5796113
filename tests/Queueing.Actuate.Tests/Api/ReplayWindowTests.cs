using Queueing.Actuate.Api;

namespace Queueing.Actuate.Tests.Api;

public sealed class ReplayWindowTests
{
    [Fact]
    public void Default_Allows60sAheadAnd219sBehind()
    {
        Assert.Equal(TimeSpan.FromSeconds(60), ReplayWindow.Default.MaxAhead);
        Assert.Equal(TimeSpan.FromSeconds(219), ReplayWindow.Default.MaxAge);
    }

    [Fact]
    public void ForClockSkew_EverySetting_KeepsAReplayInsideSqsDeduplication()
    {
        for (var seconds = 0; seconds <= 60; seconds++)
        {
            var window = ReplayWindow.ForClockSkew(TimeSpan.FromSeconds(seconds));
            // First send at signed time - MaxAhead at the earliest; the replay's send at signed time + MaxAge + EnqueueBound at the latest.
            Assert.True(window.MaxAhead + window.MaxAge + ReplayWindow.EnqueueBound < ReplayWindow.DeduplicationInterval, $"skew {seconds}");
            Assert.True(window.MaxAge >= TimeSpan.FromSeconds(219), $"skew {seconds}: the past window shrank to {window.MaxAge}");
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(61)]
    public void ForClockSkew_OutOfRange_Throws(int seconds)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ReplayWindow.ForClockSkew(TimeSpan.FromSeconds(seconds)));
    }
}
