using System.Text;
using System.Text.Json;
using Queueing.Contracts.DeadLetters;
using Queueing.Contracts.Events;
using Queueing.Shared.Batches;
using Queueing.Shared.DeadLetters;

namespace Queueing.Shared.Tests.Batches;

/// <summary>The one batch ledger both functions use: Ingest (delivered, parked, concurrent rounds) and the
/// publisher (published in order, parked as malformed/rejected/expired, exhausted on the last receive).</summary>
public sealed class BatchLedgerTests
{
    private static SqsRecordBatch Batch(params (string Id, int ReceiveCount)[] records)
    {
        var json = "{\"Records\":[" + string.Join(",", records.Select(r =>
            $$$"""{"messageId":"{{{r.Id}}}","body":"{}","eventSourceARN":"arn:aws:sqs:eu-west-1:1:q","attributes":{"ApproximateReceiveCount":"{{{r.ReceiveCount}}}"}}""")) + "]}";
        return SqsEventReader.Read(Encoding.UTF8.GetBytes(json));
    }

    private static string[] Failures(byte[] response)
    {
        using var document = JsonDocument.Parse(response);
        return [.. document.RootElement.GetProperty("batchItemFailures").EnumerateArray().Select(f => f.GetProperty("itemIdentifier").GetString()!)];
    }

    [Fact]
    public void NewLedger_EveryRecordIsABatchItemFailure()
    {
        using var records = Batch(("a", 1), ("b", 1), ("c", 1));
        var ledger = new BatchLedger(records);

        Assert.Equal(3, ledger.Unfinished);
        Assert.Equal(["a", "b", "c"], Failures(ledger.WriteResponse(out var failed)));
        Assert.Equal(3, failed);
    }

    [Fact]
    public void HandledRecords_LeaveTheResponse_AndAreCountedOnce()
    {
        using var records = Batch(("a", 1), ("b", 1), ("c", 1));
        var ledger = new BatchLedger(records);

        ledger.MarkHandled(0);
        ledger.MarkHandled(0);
        ledger.MarkHandled(2);

        Assert.Equal(2, ledger.Handled);
        Assert.Equal(1, ledger.Unfinished);
        Assert.Equal(["b"], Failures(ledger.WriteResponse(out var failed)));
        Assert.Equal(1, failed);
    }

    [Fact]
    public async Task Parking_ConfirmedRecordsAreHandled_RefusedOnesStayFailures()
    {
        using var records = Batch(("a", 1), ("b", 1), ("c", 1), ("d", 1));
        var ledger = new BatchLedger(records);
        var parker = new Parker { Refuse = { "c" } };

        ledger.MarkHandled(0);
        ledger.MarkForParking(1, DeadLetterKind.Malformed, "not JSON");
        ledger.MarkForParking(2, DeadLetterKind.Rejected, "400");
        ledger.MarkForParking(3, DeadLetterKind.Rejected, "403");
        await ledger.ParkAsync(parker, CancellationToken.None);

        Assert.Equal(["b", "c", "d"], parker.Sent.Select(r => r.Record.MessageId));
        Assert.Equal("not JSON", parker.Sent[0].Error);
        Assert.Equal(1, ledger.Parked(DeadLetterKind.Malformed));
        Assert.Equal(1, ledger.Parked(DeadLetterKind.Rejected));
        Assert.Equal(1, ledger.ParkingFailed);
        Assert.Equal(["c"], Failures(ledger.WriteResponse(out _)));
    }

    [Fact]
    public void RecordMarkedForParkingButNotYetConfirmed_IsAFailure()
    {
        using var records = Batch(("a", 1));
        var ledger = new BatchLedger(records);

        ledger.MarkForParking(0, DeadLetterKind.Malformed, "not JSON");

        Assert.True(ledger.HasParking);
        Assert.Equal(["a"], Failures(ledger.WriteResponse(out _)));
    }

    [Fact]
    public void FirstMarkWins_AHandledRecordIsNeverParked_AndAParkedOneNeverHandled()
    {
        using var records = Batch(("a", 1), ("b", 1));
        var ledger = new BatchLedger(records);

        ledger.MarkHandled(0);
        ledger.MarkForParking(0, DeadLetterKind.Rejected, "late");
        ledger.MarkForParking(1, DeadLetterKind.Malformed, "first");
        ledger.MarkForParking(1, DeadLetterKind.Rejected, "second");
        ledger.MarkHandled(1);

        var request = Assert.Single(ledger.ParkRequests());
        Assert.Equal(("b", DeadLetterKind.Malformed, "first"), (request.Record.MessageId, request.Kind, request.Error));
        Assert.Equal(1, ledger.Handled);
    }

    [Fact]
    public async Task NothingToPark_TheParkerIsNotCalled()
    {
        using var records = Batch(("a", 1));
        var ledger = new BatchLedger(records);
        var parker = new Parker();

        ledger.MarkHandled(0);
        await ledger.ParkAsync(parker, CancellationToken.None);

        Assert.False(ledger.HasParking);
        Assert.Equal(0, parker.Calls);
    }

    [Fact]
    public async Task ParkIfLastReceive_ParksOnlyUnhandledRecordsOnTheirLastReceive_AsExhausted()
    {
        // The publisher's stop: the first record was published, the rest deferred; Ingest's: the unsent ones.
        using var records = Batch(("published", 3), ("early", 2), ("last", 3), ("past", 4), ("expired", 3));
        var ledger = new BatchLedger(records);
        var parker = new Parker();

        ledger.MarkHandled(0);
        ledger.MarkForParking(4, DeadLetterKind.Expired, "expired");
        var exhausted = Enumerable.Range(0, records.Count).Where(i => ledger.ParkIfLastReceive(i, 3, "broker down")).ToArray();
        await ledger.ParkAsync(parker, CancellationToken.None);

        Assert.Equal([2, 3], exhausted);
        Assert.Equal(["last", "past", "expired"], parker.Sent.Select(r => r.Record.MessageId));
        Assert.Equal("broker down", parker.Sent[0].Error);
        Assert.Equal(2, ledger.Parked(DeadLetterKind.Exhausted));
        Assert.Equal(1, ledger.Parked(DeadLetterKind.Expired));
        Assert.Equal(["early"], Failures(ledger.WriteResponse(out _)));
        Assert.Equal(1, ledger.Unfinished);
    }

    [Fact]
    public void ConcurrentRequestsOfOneRound_MarkDifferentRecords_NoneLostOrCountedTwice()
    {
        const int count = 20_000;
        using var records = Batch([.. Enumerable.Range(0, count).Select(i => ($"m{i}", 1))]);
        var ledger = new BatchLedger(records);

        // Four "requests" of one round, each marking its own stripe of records, all at once.
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, stripe =>
        {
            for (var i = stripe; i < count; i += 4)
            {
                if (i % 10 == 0)
                {
                    ledger.MarkForParking(i, DeadLetterKind.Rejected, "no");
                }
                else
                {
                    ledger.MarkHandled(i);
                }
            }
        });

        Assert.Equal(count - count / 10, ledger.Handled);
        Assert.Equal(count / 10, ledger.ParkRequests().Count);
        Assert.Equal(count / 10, Failures(ledger.WriteResponse(out var failed)).Length);
        Assert.Equal(count / 10, failed);
    }

    private sealed class Parker : IRecordParker
    {
        public List<ParkRequest> Sent { get; } = [];
        public HashSet<string> Refuse { get; } = [];
        public int Calls { get; private set; }

        public Task<ParkResult> ParkAsync(IReadOnlyList<ParkRequest> requests, CancellationToken cancellationToken)
        {
            Calls++;
            Sent.AddRange(requests);
            var parked = requests.Select(r => r.Record.MessageId).Where(id => !Refuse.Contains(id)).ToHashSet();
            var failed = requests.Where(r => Refuse.Contains(r.Record.MessageId)).ToDictionary(r => r.Record.MessageId, _ => "refused");
            return Task.FromResult(new ParkResult(parked, failed));
        }
    }
}
