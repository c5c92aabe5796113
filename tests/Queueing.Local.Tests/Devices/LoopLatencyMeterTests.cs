using Microsoft.Extensions.Time.Testing;
using Queueing.Local.Devices;

namespace Queueing.Local.Tests.Devices;

public sealed class LoopLatencyMeterTests
{
    private const string Off = """{"lightStatus":"off"}""";
    private const string On = """{"lightStatus":"on"}""";

    private readonly FakeTimeProvider _time = new();
    private readonly LoopLatencyMeter _meter = new(threshold: 350);

    [Fact]
    public void Answered_FirstMessageAndEachStateChange_AreCrossings_EachCommandTimedFromItsOwn()
    {
        Publish(400);                       // first message, above: the rule fires lightOff
        Publish(420);                       // still above: nothing
        Publish(300);                       // below: lightOn
        _time.Advance(TimeSpan.FromMilliseconds(120));
        var off = Answer(Off);              // 3 s + 120 ms after the first message
        _time.Advance(TimeSpan.FromMilliseconds(80));
        var on = Answer(On);                // 1 s + 200 ms after the third message

        Assert.Equal(TimeSpan.FromMilliseconds(3120), off);
        Assert.Equal(TimeSpan.FromMilliseconds(1200), on);
    }

    [Fact]
    public void Answered_EqualToTheThreshold_IsNoCrossing_ButLeavingItIs()
    {
        Publish(400);
        Assert.NotNull(Answer(Off));
        Publish(350);                       // Equal: no trigger of the rule goes to Equal
        Publish(360);                       // Equal -> Above fires lightOff again

        Assert.Equal(TimeSpan.FromSeconds(1), Answer(Off));
        Assert.Null(Answer(On));
    }

    [Fact]
    public void Answered_ACrossingNeverAnswered_IsDropped_NotMatchedToALaterCommand()
    {
        Publish(400);                       // t0: above, its command never comes (say, dead-lettered)
        Publish(300);                       // t1: below
        Publish(410);                       // t2: above
        _time.Advance(TimeSpan.FromMilliseconds(50));

        Assert.Equal(TimeSpan.FromMilliseconds(2050), Answer(On));  // answers t1; t0 is dropped with it
        Assert.Equal(TimeSpan.FromMilliseconds(1050), Answer(Off)); // answers t2, not t0
        Assert.Null(Answer(Off));
    }

    [Theory]
    [InlineData("""{"lightStatus":"dim"}""")]
    [InlineData("""{"brightness":3}""")]
    [InlineData("""["off"]""")]
    [InlineData("not json")]
    public void Answered_ACommandNoCrossingAsksFor_IsNotMeasured(string payload)
    {
        Publish(400);
        Publish(300);

        Assert.Null(Answer(payload));
        Assert.NotNull(Answer(Off));
    }

    [Fact]
    public void Of_Percentiles_AreNearestRank_AndTheLineSaysHowMany()
    {
        var latency = LoopLatency.Of(Enumerable.Range(1, 20).Select(i => TimeSpan.FromMilliseconds(i * 10)).Reverse());

        Assert.Equal(new LoopLatency(20, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(190), TimeSpan.FromMilliseconds(200)), latency);
        Assert.Equal("loop latency: p50 100 ms, p95 190 ms, max 200 ms (20 commands)", latency.Line);
        Assert.Equal("loop latency: p50 7 ms, p95 7 ms, max 7 ms (1 command)", LoopLatency.Of([TimeSpan.FromMilliseconds(7.4)]).Line);
        Assert.Equal(0, LoopLatency.Of([]).Count);
    }

    /// <summary>Publishes a message and lets a second pass, as a device publishing once a second does.</summary>
    private void Publish(double value)
    {
        _meter.Published(value, _time.GetTimestamp());
        _time.Advance(TimeSpan.FromSeconds(1));
    }

    private TimeSpan? Answer(string payload) => _meter.Answered(payload, _time.GetTimestamp(), _time);
}
