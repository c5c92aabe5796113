using System.Net;
using Queueing.Emulators.Waylay.Faults;

namespace Queueing.Local.Tests.Waylay;

public sealed class FaultInjectionTests
{
    [Fact]
    public void Next_SameSeed_DrawsTheSameSequence()
    {
        var options = new WaylayFaultOptions { FailRate = 0.3, ThrottleRate = 0.2, Latency = LatencyRange.Parse("10ms-50ms"), Seed = 7 };
        var first = new FaultInjector(options);
        var second = new FaultInjector(options);

        var a = Enumerable.Range(0, 500).Select(_ => first.Next()).ToArray();
        var b = Enumerable.Range(0, 500).Select(_ => second.Next()).ToArray();

        Assert.Equal(a, b);
        Assert.Contains(a, d => d.Kind != FaultKind.None);
    }

    [Theory]
    [InlineData(0.1, 0.05)]
    [InlineData(0.5, 0.5)]
    [InlineData(0.0, 0.25)]
    public void Next_ManyRequests_FaultFractionsMatchTheRates(double failRate, double throttleRate)
    {
        var injector = new FaultInjector(new WaylayFaultOptions { FailRate = failRate, ThrottleRate = throttleRate, Seed = 42 });
        const int N = 20_000;

        var kinds = Enumerable.Range(0, N).Select(_ => injector.Next().Kind).ToArray();

        var failed = kinds.Count(k => k is FaultKind.InternalServerError or FaultKind.ServiceUnavailable) / (double)N;
        var throttled = kinds.Count(k => k == FaultKind.Throttled) / (double)N;
        Assert.InRange(failed, failRate - 0.01, failRate + 0.01);
        Assert.InRange(throttled, throttleRate - 0.01, throttleRate + 0.01);
        if (failRate > 0)
        {
            // Both 5xx kinds occur, about half each.
            var internalErrors = kinds.Count(k => k == FaultKind.InternalServerError) / (double)N;
            Assert.InRange(internalErrors, failRate / 2 - 0.01, failRate / 2 + 0.01);
        }
    }

    [Fact]
    public void Next_LatencyRange_DelaysStayWithinTheRangeAndVary()
    {
        var injector = new FaultInjector(new WaylayFaultOptions { Latency = LatencyRange.Parse("50-300ms"), Seed = 1 });

        var delays = Enumerable.Range(0, 1000).Select(_ => injector.Next().Delay).ToArray();

        Assert.All(delays, d => Assert.InRange(d, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(300)));
        Assert.True(delays.Distinct().Count() > 900);
        Assert.All(Enumerable.Range(0, 10), _ => Assert.Equal(FaultKind.None, injector.Next().Kind));
    }

    [Theory]
    [InlineData(-0.1, 0)]
    [InlineData(0, 1.5)]
    [InlineData(0.6, 0.6)]
    [InlineData(double.NaN, 0)]
    public void Constructor_InvalidRates_Throws(double failRate, double throttleRate)
    {
        var options = new WaylayFaultOptions { FailRate = failRate, ThrottleRate = throttleRate };

        Assert.NotEmpty(options.Validate());
        Assert.Throws<ArgumentException>(() => new FaultInjector(options));
    }

    [Theory]
    [InlineData("200ms", 200, 200)]
    [InlineData("1s", 1000, 1000)]
    [InlineData("150", 150, 150)]
    [InlineData("50ms-300ms", 50, 300)]
    [InlineData("50-300ms", 50, 300)]
    [InlineData("0.5s-2s", 500, 2000)]
    public void LatencyRange_ValidText_Parses(string text, int minMs, int maxMs)
    {
        Assert.True(LatencyRange.TryParse(text, out var range, out _));
        Assert.Equal((TimeSpan.FromMilliseconds(minMs), TimeSpan.FromMilliseconds(maxMs)), (range.Min, range.Max));
    }

    [Theory]
    [InlineData("")]
    [InlineData("fast")]
    [InlineData("300ms-50ms")]
    [InlineData("-5ms")]
    [InlineData("5m")]
    public void LatencyRange_InvalidText_IsRefusedWithAReason(string text)
    {
        Assert.False(LatencyRange.TryParse(text, out _, out var problem));
        Assert.Contains(text.Length == 0 ? "latency" : text, problem);
    }

    [Fact]
    public async Task Broker_FailRateOne_Answers5xxErrorsAndStoresNothing()
    {
        await using var broker = await TestBroker.StartAsync(new WaylayFaultOptions { FailRate = 1, Seed = 3 });
        var statuses = new List<int>();

        for (var i = 0; i < 20; i++)
        {
            using var response = await broker.PostAsync("data/v1/events", """{"resource":"lamp-1","lightValue":1}""");
            statuses.Add((int)response.StatusCode);
            await ErrorBody.AssertAsync(response, (int)response.StatusCode);
        }

        Assert.All(statuses, s => Assert.Contains(s, new[] { 500, 503 }));
        Assert.Contains(500, statuses);
        Assert.Contains(503, statuses);
        Assert.Empty(broker.Inbox.Events);
        Assert.Empty(broker.Server.Messages.Messages("lamp-1"));
        var counters = broker.Server.Counters.Snapshot();
        Assert.Equal((20L, 20L, 0L), (counters.FaultsInjected, counters.ServerErrorsInjected, counters.EventsReceived));
    }

    [Fact]
    public async Task Broker_ThrottleRateOne_Answers429WithRetryAfter()
    {
        await using var broker = await TestBroker.StartAsync(new WaylayFaultOptions { ThrottleRate = 1, RetryAfter = TimeSpan.FromSeconds(2) });

        using var response = await broker.PostAsync("data/v1/events", """{"resource":"lamp-1","lightValue":1}""");

        await ErrorBody.AssertAsync(response, 429);
        Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter?.Delta);
        Assert.Empty(broker.Inbox.Events);
        Assert.Equal(1, broker.Server.Counters.Snapshot().ThrottlesInjected);
    }

    [Fact]
    public async Task Broker_SeededRates_FaultsTheSameRequestsAsTheInjector()
    {
        var options = new WaylayFaultOptions { FailRate = 0.2, ThrottleRate = 0.2, Seed = 11 };
        var expected = new FaultInjector(options);
        await using var broker = await TestBroker.StartAsync(options);
        var delivered = 0;

        for (var i = 0; i < 50; i++)
        {
            var kind = expected.Next().Kind;
            using var response = await broker.PostAsync("data/v1/events", $$"""{"resource":"lamp-{{i}}","lightValue":1}""");
            var want = kind switch
            {
                FaultKind.None => HttpStatusCode.OK,
                FaultKind.Throttled => HttpStatusCode.TooManyRequests,
                FaultKind.ServiceUnavailable => HttpStatusCode.ServiceUnavailable,
                _ => HttpStatusCode.InternalServerError,
            };
            Assert.Equal(want, response.StatusCode);
            delivered += kind == FaultKind.None ? 1 : 0;
        }

        Assert.Equal(delivered, broker.Inbox.Events.Count);
        Assert.InRange(delivered, 15, 45);
    }
}
