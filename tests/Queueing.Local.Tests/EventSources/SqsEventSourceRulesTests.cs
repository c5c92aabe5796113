using Queueing.Emulators.Template;
using Queueing.Local.Cli;
using Queueing.Local.EventSources;
using Queueing.Local.Tests.Support;

namespace Queueing.Local.Tests.EventSources;

/// <summary>The local event source refuses what Lambda's CreateEventSourceMapping refuses for SQS.</summary>
public sealed class SqsEventSourceRulesTests
{
    [Theory]
    [InlineData(10, 0)]
    [InlineData(1, 0)]
    [InlineData(11, 1)]
    [InlineData(10_000, 300)]
    public void Problems_WhatLambdaAccepts_None(int batchSize, int window)
    {
        Assert.Empty(SqsEventSourceRules.Problems(Function(timeout: 30), Source(batchSize, window), Queue("ingest", visibility: 240)));
    }

    [Theory]
    [InlineData(11, 0, "a BatchSize above 10 (11) needs MaximumBatchingWindowInSeconds of at least 1")]
    [InlineData(100, 0, "a BatchSize above 10 (100) needs MaximumBatchingWindowInSeconds of at least 1")]
    [InlineData(10_001, 5, "BatchSize must be from 1 to 10,000 for a standard queue, not 10001")]
    [InlineData(0, 0, "BatchSize must be from 1 to 10,000 for a standard queue, not 0")]
    [InlineData(10, 301, "MaximumBatchingWindowInSeconds must be from 0 to 300, not 301")]
    public void Problems_WhatLambdaRefuses_SaysWhy(int batchSize, int window, string expected)
    {
        var problem = Assert.Single(SqsEventSourceRules.Problems(Function(timeout: 30), Source(batchSize, window), Queue("ingest", visibility: 240)));

        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_FifoQueueBatchAbove10_IsRefusedEvenWithAWindow()
    {
        var problem = Assert.Single(SqsEventSourceRules.Problems(Function(timeout: 10), Source(11, 1), Queue("commands.fifo", visibility: 60)));

        Assert.Equal("BatchSize must be from 1 to 10 for a FIFO queue, not 11.", problem);
    }

    [Fact]
    public void Problems_FunctionTimeoutAboveTheVisibilityTimeout_IsRefused()
    {
        var problem = Assert.Single(SqsEventSourceRules.Problems(Function(timeout: 61), Source(10, 0), Queue("ingest", visibility: 60)));

        Assert.Equal("the function's Timeout (61 s) exceeds ingest's VisibilityTimeout (60 s), which Lambda refuses.", problem);
    }

    [Fact]
    public async Task Up_TemplateBatchOf100WithoutAWindow_StopsBeforeAnythingStarts_NamingTheFunctionAndEvent()
    {
        var run = await CliRun.RunAsync(["up", "--parameter-overrides", "IngestBatchSize=100", "IngestBatchingWindowSeconds=0", "--no-build", "--plain"]);

        Assert.True(run.ExitCode == ExitCodes.Usage, run.ToString());
        Assert.Contains(
            "Resource 'IngestFunction', event 'Telemetry': a BatchSize above 10 (100) needs MaximumBatchingWindowInSeconds of at least 1",
            run.Error,
            StringComparison.Ordinal);
        Assert.DoesNotContain("Starting the local AWS", run.Error, StringComparison.Ordinal);
    }

    private static FunctionDefinition Function(int timeout) => TestFunctionBinary.Function("echo", timeout);

    private static SqsEventSource Source(int batchSize, int window) =>
        new("Telemetry", "arn:aws:sqs:us-east-1:123456789012:queue", batchSize, window, null, true, true);

    private static QueueDefinition Queue(string name, int visibility) => new()
    {
        LogicalId = "Queue",
        QueueName = name,
        Url = $"http://127.0.0.1:9/123456789012/{name}",
        Arn = "arn:aws:sqs:us-east-1:123456789012:" + name,
        Attributes = new Dictionary<string, string> { ["VisibilityTimeout"] = visibility.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        Tags = new Dictionary<string, string>(),
    };
}
