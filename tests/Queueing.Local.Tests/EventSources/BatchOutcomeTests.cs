using Queueing.Contracts.Events;
using Queueing.Emulators.Lambda;
using Queueing.Local.EventSources;

namespace Queueing.Local.Tests.EventSources;

public sealed class BatchOutcomeTests
{
    [Fact]
    public void Fifo_FailureInOneGroup_FailsTheLaterRecordsOfThatGroupOnly()
    {
        var records = new[] { Record("a1", "A"), Record("b1", "B"), Record("a2", "A"), Record("b2", "B"), Record("a3", "A") };

        var outcome = BatchOutcome.Read(RecordingFunction.Failures(["a2"]), records, reportBatchItemFailures: true, fifo: true);

        Assert.Equal(BatchOutcomeKind.PartialFailure, outcome.Kind);
        Assert.Equal([false, false, true, false, true], outcome.Failed);
    }

    [Fact]
    public void Standard_FailureOfOneRecord_LeavesTheLaterOnesSucceeded()
    {
        var records = new[] { Record("m1", null), Record("m2", null), Record("m3", null) };

        var outcome = BatchOutcome.Read(RecordingFunction.Failures(["m1", "m1"]), records, reportBatchItemFailures: true, fifo: false);

        Assert.Equal([true, false, false], outcome.Failed);
        Assert.Equal(1, outcome.FailedCount);
    }

    [Fact]
    public void FunctionError_FailsEveryRecord_EvenWithoutReportBatchItemFailures()
    {
        var outcome = BatchOutcome.Read(RecordingFunction.FunctionError(), [Record("m1", null), Record("m2", null)], reportBatchItemFailures: false, fifo: false);

        Assert.Equal((BatchOutcomeKind.FunctionError, 2), (outcome.Kind, outcome.FailedCount));
        Assert.Equal("InvalidOperationException", outcome.Detail);
    }

    [Theory]
    [InlineData(InvocationOutcome.Timeout)]
    [InlineData(InvocationOutcome.InitError)]
    [InlineData(InvocationOutcome.RuntimeExit)]
    [InlineData(InvocationOutcome.ResponseTooLarge)]
    public void EveryNonResponseOutcome_IsAFunctionError(InvocationOutcome kind)
    {
        var result = RecordingFunction.Response("{}") with { Outcome = kind };

        Assert.Equal(BatchOutcomeKind.FunctionError, BatchOutcome.Read(result, [Record("m1", null)], reportBatchItemFailures: true, fifo: true).Kind);
    }

    [Fact]
    public void NullEntryInBatchItemFailures_IsMalformed()
    {
        var outcome = BatchOutcome.Read(RecordingFunction.Response("""{"batchItemFailures":[null]}"""), [Record("m1", null)], reportBatchItemFailures: true, fifo: false);

        Assert.Equal((BatchOutcomeKind.MalformedResponse, 1), (outcome.Kind, outcome.FailedCount));
    }

    private static SqsMessage Record(string id, string? group)
    {
        var record = new SqsMessage { MessageId = id, Body = id };
        if (group is not null)
        {
            record.Attributes[SqsAttributeNames.MessageGroupId] = group;
        }

        return record;
    }
}
