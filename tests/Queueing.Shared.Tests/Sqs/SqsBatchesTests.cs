using Queueing.Contracts.Sqs;

namespace Queueing.Shared.Tests.Sqs;

public sealed class SqsBatchesTests
{
    [Fact]
    public void Chunk_MoreThanTenSmallItems_SplitsAtTenKeepingOrder()
    {
        var chunks = SqsBatches.Chunk(Enumerable.Range(0, 23).ToList(), _ => 100).ToList();

        Assert.Equal([10, 10, 3], chunks.Select(c => c.Count));
        Assert.Equal(Enumerable.Range(0, 23), chunks.SelectMany(c => c));
    }

    [Fact]
    public void Chunk_ItemsOverTheByteLimit_StartANewChunkAndAHugeItemGoesAlone()
    {
        var sizes = new List<int> { 100_000, 100_000, 100_000, 300_000, 10 };

        var chunks = SqsBatches.Chunk(sizes, s => s).ToList();

        Assert.Equal([[100_000, 100_000], [100_000], [300_000], [10]], chunks);
    }

    [Fact]
    public void Chunk_SmallerMaxEntries_IsHonoured()
    {
        var chunks = SqsBatches.Chunk(Enumerable.Range(0, 5).ToList(), _ => 1, maxEntries: 2).ToList();

        Assert.Equal([2, 2, 1], chunks.Select(c => c.Count));
    }
}
