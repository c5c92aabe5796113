using Queueing.Template.Tests.Support;

namespace Queueing.Template.Tests;

public sealed class QueueTests
{
    private const int FourteenDays = 14 * 24 * 3600;

    private readonly ServerlessTemplate _template = ServerlessTemplate.Current;
    private readonly TemplateEvaluator _evaluator = new(ServerlessTemplate.Current);

    [Fact]
    public void Queues_Template_AreTheContractQueues()
    {
        Assert.Equal(
            ["CommandDLQ", "CommandQueue", "IngestDLQ", "IngestQueue", "TelemetryRuleErrors"],
            _template.ResourcesOfType(ServerlessTemplate.QueueType).Order());
    }

    [Fact]
    public void Queues_EveryQueue_HasARedrivePolicyOrIsADeadLetterOrErrorSink()
    {
        var sinks = SinkQueues();
        foreach (var queue in _template.ResourcesOfType(ServerlessTemplate.QueueType))
        {
            Assert.True(
                _template.DeadLetterQueueOf(queue) is not null || sinks.Contains(queue),
                $"{queue} has no redrive policy: a message that keeps failing would be retried until retention drops it");
        }

        Assert.Equal(["CommandDLQ", "IngestDLQ", "TelemetryRuleErrors"], sinks.Order());
    }

    [Fact]
    public void DeadLetterQueues_RedriveAllowPolicy_AdmitsOnlyTheirSourceQueue()
    {
        foreach (var source in SourceQueues())
        {
            var deadLetterQueue = _template.DeadLetterQueueOf(source)!;
            var allow = _evaluator.Evaluate(_template.Properties(deadLetterQueue)["RedriveAllowPolicy"]);

            Assert.NotNull(allow);
            Assert.Equal("byQueue", allow["redrivePermission"]!.GetValue<string>());
            // The DLQ names its source by ARN built from the source's name (a GetAtt would be a dependency cycle),
            // so check the two resolve to the same queue.
            var sourceArn = $"arn:{TemplateEvaluator.Partition}:sqs:{TemplateEvaluator.Region}:{TemplateEvaluator.AccountId}:{_evaluator.EvaluateString(_template.Properties(source)["QueueName"])}";
            Assert.Equal([sourceArn], allow["sourceQueueArns"]!.AsArray().Select(a => a!.GetValue<string>()));
        }
    }

    [Fact]
    public void SinkQueues_Retention_IsFourteenDaysAndOutlivesTheirSources()
    {
        foreach (var sink in SinkQueues())
        {
            Assert.Equal(FourteenDays, _template.Properties(sink)["MessageRetentionPeriod"]!.GetValue<int>());
            // Deleting the stack must not delete parked messages with it.
            Assert.Equal("Retain", _template.Resource(sink)["DeletionPolicy"]?.GetValue<string>());
        }

        foreach (var source in SourceQueues())
        {
            // A standard queue's message keeps its original enqueue time when SQS moves it to the DLQ, so the DLQ
            // must keep messages longer than the source did or they expire on arrival.
            Assert.True(
                _template.Properties(source)["MessageRetentionPeriod"]!.GetValue<int>() < FourteenDays,
                $"{source} retention must be shorter than its DLQ's");
        }
    }

    [Fact]
    public void Queues_All_AreEncryptedAtRest()
    {
        foreach (var queue in _template.ResourcesOfType(ServerlessTemplate.QueueType))
        {
            var properties = _template.Properties(queue);
            Assert.True(
                properties["SqsManagedSseEnabled"]?.GetValue<bool>() == true || properties["KmsMasterKeyId"] is not null,
                $"{queue} is not encrypted");
        }
    }

    [Fact]
    public void FifoQueues_Pairs_HaveFifoDeadLetterQueuesAndFifoNames()
    {
        foreach (var queue in _template.ResourcesOfType(ServerlessTemplate.QueueType))
        {
            var fifo = IsFifo(queue);
            var name = _evaluator.EvaluateString(_template.Properties(queue)["QueueName"]);
            Assert.Equal(fifo, name.EndsWith(".fifo", StringComparison.Ordinal));
            // The longest stack name the docs promise must still give a valid (<= 80 character) queue name.
            Assert.True(name.Length - TemplateEvaluator.StackName.Length + 60 <= 80, $"{name} leaves too little room for the stack name");

            if (_template.DeadLetterQueueOf(queue) is { } deadLetterQueue)
            {
                Assert.True(IsFifo(deadLetterQueue) == fifo, $"{queue} and its DLQ {deadLetterQueue} must both be FIFO or both standard");
            }

            if (fifo)
            {
                // Ids are explicit (Idempotency-Key or body hash; the parker dedups by message id).
                Assert.False(_template.Properties(queue)["ContentBasedDeduplication"]!.GetValue<bool>());
            }
        }

        Assert.True(IsFifo("CommandQueue"));
        Assert.True(IsFifo("CommandDLQ"));
        Assert.False(IsFifo("IngestQueue"));
    }

    [Fact]
    public void FifoQueues_Deduplication_IsPerMessageGroupWithHighThroughput()
    {
        foreach (var queue in new[] { "CommandQueue", "CommandDLQ" })
        {
            var properties = _template.Properties(queue);
            // Scope = group (device id): a key reused for another device is never dropped as a duplicate.
            Assert.Equal("messageGroup", properties["DeduplicationScope"]?.GetValue<string>());
            // SQS allows perMessageGroupId only with messageGroup scope (SetQueueAttributes reference); together
            // they turn on high-throughput FIFO. The DLQ matches so parking a burst cannot be throttled below it.
            Assert.Equal("perMessageGroupId", properties["FifoThroughputLimit"]?.GetValue<string>());
        }

        foreach (var queue in _template.ResourcesOfType(ServerlessTemplate.QueueType).Where(q => !IsFifo(q)))
        {
            Assert.Null(_template.Properties(queue)["DeduplicationScope"]);
            Assert.Null(_template.Properties(queue)["FifoThroughputLimit"]);
        }
    }

    [Fact]
    public void FifoConsumers_Batch_IsAtMostTenWithoutBatchingWindow()
    {
        foreach (var id in _template.ResourcesOfType(ServerlessTemplate.FunctionType))
        {
            foreach (var (name, properties) in _template.SqsEvents(id).Where(e => IsFifo(ServerlessTemplate.QueueOf(e.Properties))))
            {
                Assert.True(_template.UpperBound(properties["BatchSize"]) <= 10, $"{id}.{name}: FIFO batches hold at most 10");
                Assert.Null(properties["MaximumBatchingWindowInSeconds"]);
            }
        }
    }

    [Fact]
    public void CommandQueue_Retention_OutlivesTheLongestCommandTtl()
    {
        var longestTtl = _template.Parameter("CommandTtlMaxSeconds")["MaxValue"]!.GetValue<int>();
        var retention = _template.Properties("CommandQueue")["MessageRetentionPeriod"]!.GetValue<int>();

        // A command must expire (and be parked as expired) before SQS could drop it silently.
        Assert.True(retention > longestTtl, $"CommandQueue keeps messages {retention}s, a TTL may be {longestTtl}s");
    }

    private bool IsFifo(string queue) => _template.Properties(queue)["FifoQueue"]?.GetValue<bool>() == true;

    private IEnumerable<string> SourceQueues() =>
        _template.ResourcesOfType(ServerlessTemplate.QueueType).Where(q => _template.DeadLetterQueueOf(q) is not null);

    /// <summary>Queues where undeliverable messages end: redrive targets and the topic rule's error action.</summary>
    private HashSet<string> SinkQueues()
    {
        var sinks = SourceQueues().Select(q => _template.DeadLetterQueueOf(q)!).ToHashSet();
        foreach (var rule in _template.ResourcesOfType("AWS::IoT::TopicRule"))
        {
            if (_template.Properties(rule)["TopicRulePayload"]?["ErrorAction"]?["Sqs"]?["QueueUrl"] is { } errorQueue)
            {
                sinks.Add(ServerlessTemplate.RefTarget(errorQueue));
            }
        }

        return sinks;
    }
}
