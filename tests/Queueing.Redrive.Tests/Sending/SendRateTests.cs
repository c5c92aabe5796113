using Microsoft.Extensions.Time.Testing;
using Queueing.Redrive.Cli;
using Queueing.Redrive.Sending;

namespace Queueing.Redrive.Tests.Sending;

public sealed class SendRateTests
{
    [Theory]
    [InlineData("20", 20.0)]
    [InlineData("20/s", 20.0)]
    [InlineData("600/m", 10.0)]
    [InlineData("0.5", 0.5)]
    public void Parse_Rate_GivesMessagesPerSecond(string text, double expected) =>
        Assert.Equal(expected, SendRate.Parse(text, TimeProvider.System).PerSecond);

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("fast")]
    public void Parse_Nonsense_IsAUsageError(string text) =>
        Assert.Throws<UsageException>(() => SendRate.Parse(text, TimeProvider.System));

    [Theory]
    [InlineData("0.5", 1)]
    [InlineData("4", 4)]
    [InlineData("500", 10)]
    public void BatchSize_IsOneSecondsWorthUpToTen(string rate, int expected) =>
        Assert.Equal(expected, SendRate.Parse(rate, TimeProvider.System).BatchSize);

    [Fact]
    public async Task WaitAsync_SecondBatch_WaitsUntilTheFirstBatchsShareOfTimeHasPassed()
    {
        var time = new FakeTimeProvider();
        var rate = SendRate.Parse("2", time);

        await rate.WaitAsync(2, CancellationToken.None);
        var second = rate.WaitAsync(2, CancellationToken.None);

        Assert.False(second.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(second.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await second;
    }

    [Fact]
    public async Task WaitAsync_Unlimited_NeverWaits()
    {
        var rate = SendRate.Unlimited(new FakeTimeProvider());

        for (var i = 0; i < 100; i++)
        {
            Assert.True(rate.WaitAsync(10, CancellationToken.None).IsCompleted);
        }

        await Task.CompletedTask;
    }
}
