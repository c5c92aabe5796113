using Queueing.Ingest.Rounds;
using Queueing.Ingest.Telemetry;
using Queueing.Ingest.Tests.Support;

namespace Queueing.Ingest.Tests.Rounds;

public sealed class RoundPlannerTests
{
    private static readonly TelemetryParser Parser = new(4096);

    internal static List<TelemetryReading> Readings(params (string Device, long Timestamp)[] items) =>
        [.. items.Select((item, i) => Parser.Parse(TestRecords.Record(TestRecords.Telemetry(item.Device, item.Timestamp, $"\"seq\":{i}")), i).Reading!)];

    private static string[][] Describe(IReadOnlyList<IReadOnlyList<TelemetryReading>> rounds) =>
        [.. rounds.Select(r => r.Select(e => $"{e.Resource}@{e.Timestamp}").ToArray())];

    [Fact]
    public void Plan_EachRound_HasAtMostOneEventPerResource()
    {
        var rounds = RoundPlanner.Plan(Readings(("a", 1), ("a", 2), ("b", 1), ("a", 3), ("c", 1), ("b", 2)));

        Assert.All(rounds, round => Assert.Equal(round.Count, round.Select(e => e.Resource).Distinct().Count()));
        Assert.Equal(3, rounds.Count);
    }

    [Fact]
    public void Plan_ResourceEvents_GoInTimestampOrderAcrossRounds()
    {
        var rounds = RoundPlanner.Plan(Readings(("a", 30), ("b", 5), ("a", 10), ("a", 20), ("b", 1)));

        Assert.Equal(
            [["a@10", "b@1"], ["a@20", "b@5"], ["a@30"]],
            Describe(rounds));
    }

    [Fact]
    public void Plan_EqualTimestamps_KeepBatchOrder()
    {
        var readings = Readings(("a", 7), ("a", 7), ("a", 7));

        var rounds = RoundPlanner.Plan(readings);

        Assert.Equal([0, 1, 2], rounds.Select(r => r.Single().Index));
    }

    [Fact]
    public void Plan_EveryReading_AppearsExactlyOnce()
    {
        var readings = Readings([.. Enumerable.Range(0, 200).Select(i => ($"d{i % 7}", (long)(1000 - i % 13)))]);

        var rounds = RoundPlanner.Plan(readings);

        Assert.Equal(readings.Select(r => r.Index).Order(), rounds.SelectMany(r => r).Select(r => r.Index).Order());
    }

    [Fact]
    public void Plan_Empty_NoRounds()
    {
        Assert.Empty(RoundPlanner.Plan([]));
    }

    [Fact]
    public void Chunk_RoundLargerThanMaxEvents_SplitsInOrder()
    {
        var round = Readings([.. Enumerable.Range(0, 250).Select(i => ($"d{i}", 1L))]);

        var chunks = new RequestChunker(maxEvents: 100).Chunk(round);

        Assert.Equal([100, 100, 50], chunks.Select(c => c.Count));
        Assert.Equal(round.Select(r => r.Index), chunks.SelectMany(c => c).Select(r => r.Index));
    }

    [Fact]
    public void Chunk_ByteCap_StartsANewRequest()
    {
        var round = Readings([.. Enumerable.Range(0, 10).Select(i => ($"d{i}", 1L))]);
        var perEvent = round[0].EncodedLength + 1;

        var chunks = new RequestChunker(maxEvents: 100, maxBytes: 2 + perEvent * 3).Chunk(round);

        Assert.Equal([3, 3, 3, 1], chunks.Select(c => c.Count));
    }

    [Fact]
    public void Chunk_SingleEventOverByteCap_SentAlone()
    {
        var round = Readings(("a", 1), ("b", 1));

        var chunks = new RequestChunker(maxEvents: 100, maxBytes: 10).Chunk(round);

        Assert.Equal([1, 1], chunks.Select(c => c.Count));
    }
}
