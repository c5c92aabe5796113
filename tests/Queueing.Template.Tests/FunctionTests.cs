using System.Text.Json.Nodes;
using Queueing.Template.Tests.Support;

namespace Queueing.Template.Tests;

public sealed class FunctionTests
{
    // The contract between the template and the executables (ARCHITECTURE.md, Settings): handler name, the
    // variables the handler requires, and the optional ones it also understands.
    private static readonly Dictionary<string, (string Handler, string[] Required, string[] Optional)> Contract = new()
    {
        ["IngestFunction"] = ("ingest",
            ["WAYLAY_DATA_URL", "WAYLAY_CREDENTIALS_PARAMETER", "DEAD_LETTER_QUEUE_URL", "MAX_RECEIVE_COUNT", "LOG_LEVEL"],
            ["WAYLAY_REQUEST_TIMEOUT_MS", "MAX_TELEMETRY_BYTES", "TELEMETRY_FORMAT"]),
        ["CommandApiFunction"] = ("command-api",
            ["COMMAND_QUEUE_URL", "COMMAND_SIGNING_SECRET_PARAMETER", "COMMAND_TOPIC_TEMPLATE", "COMMAND_TTL_DEFAULT_SECONDS", "COMMAND_TTL_MAX_SECONDS", "LOG_LEVEL"],
            []),
        ["CommandPublisherFunction"] = ("command-publisher",
            ["IOT_DATA_ENDPOINT", "COMMAND_TOPIC_TEMPLATE", "DEAD_LETTER_QUEUE_URL", "STATUS_QUEUE_URL", "MAX_RECEIVE_COUNT", "LOG_LEVEL"],
            []),
    };

    private readonly ServerlessTemplate _template = ServerlessTemplate.Current;

    [Fact]
    public void Functions_Template_AreTheContractFunctionsWithTheirHandlers()
    {
        var functions = _template.ResourcesOfType(ServerlessTemplate.FunctionType);

        Assert.Equal(Contract.Keys.Order(), functions.Order());
        foreach (var id in functions)
        {
            Assert.Equal(Contract[id].Handler, _template.Properties(id)["Handler"]!.GetValue<string>());
        }
    }

    [Fact]
    public void Functions_Runtime_AreNativeExecutablesBuiltByTheMakefile()
    {
        foreach (var id in _template.ResourcesOfType(ServerlessTemplate.FunctionType))
        {
            var properties = _template.Properties(id);
            Assert.Equal("provided.al2023", properties["Runtime"]!.GetValue<string>());
            Assert.Equal(["x86_64"], properties["Architectures"]!.AsArray().Select(a => a!.GetValue<string>()));
            Assert.Equal(".", properties["CodeUri"]!.GetValue<string>());
            Assert.Equal("makefile", _template.Resource(id)["Metadata"]?["BuildMethod"]?.GetValue<string>());
        }
    }

    [Fact]
    public void Environment_EveryFunction_SetsTheVariablesItsHandlerReadsAndNoOthers()
    {
        foreach (var (id, contract) in Contract)
        {
            var variables = _template.Properties(id)["Environment"]!["Variables"]!.AsObject().Select(v => v.Key).ToHashSet();

            var missing = contract.Required.Except(variables).ToList();
            var unknown = variables.Except(contract.Required).Except(contract.Optional).ToList();
            Assert.True(missing.Count == 0, $"{id} lacks {string.Join(", ", missing)}");
            Assert.True(unknown.Count == 0, $"{id} sets variables no handler reads: {string.Join(", ", unknown)}");
        }
    }

    [Fact]
    public void Environment_SettingsFromParameters_ReferToTheParameterOfThatName()
    {
        var expected = new Dictionary<string, string>
        {
            ["WAYLAY_DATA_URL"] = "WaylayDataUrl",
            ["WAYLAY_CREDENTIALS_PARAMETER"] = "WaylayCredentialsParameter",
            ["MAX_RECEIVE_COUNT"] = "MaxReceiveCount",
            ["LOG_LEVEL"] = "LogLevel",
            ["COMMAND_SIGNING_SECRET_PARAMETER"] = "CommandSigningSecretParameter",
            ["COMMAND_TOPIC_TEMPLATE"] = "CommandTopicTemplate",
            ["COMMAND_TTL_DEFAULT_SECONDS"] = "CommandTtlDefaultSeconds",
            ["COMMAND_TTL_MAX_SECONDS"] = "CommandTtlMaxSeconds",
            ["IOT_DATA_ENDPOINT"] = "IotDataEndpoint",
            ["COMMAND_QUEUE_URL"] = "CommandQueue",
            // The command publisher's status messages go where the ingest function reads (issue 15).
            ["STATUS_QUEUE_URL"] = "IngestQueue",
            ["TELEMETRY_FORMAT"] = "TelemetryFormat",
        };

        foreach (var id in Contract.Keys)
        {
            foreach (var (name, value) in _template.Properties(id)["Environment"]!["Variables"]!.AsObject())
            {
                if (expected.TryGetValue(name, out var target))
                {
                    Assert.Equal(target, ServerlessTemplate.RefTarget(value));
                }
            }
        }
    }

    [Fact]
    public void SqsEvents_EveryQueueTriggeredFunction_ReportsBatchItemFailures()
    {
        var triggered = 0;
        foreach (var id in _template.ResourcesOfType(ServerlessTemplate.FunctionType))
        {
            foreach (var (name, properties) in _template.SqsEvents(id))
            {
                triggered++;
                var types = properties["FunctionResponseTypes"]?.AsArray().Select(t => t!.GetValue<string>()) ?? [];
                Assert.True(types.Contains("ReportBatchItemFailures"), $"{id}.{name} would retry a whole batch for one bad record");
            }
        }

        Assert.Equal(2, triggered);
    }

    [Fact]
    public void SqsConsumers_MaxReceiveCount_EqualsTheirQueuesRedriveMaxReceiveCount()
    {
        foreach (var id in ConsumerIds())
        {
            var queue = ServerlessTemplate.QueueOf(_template.SqsEvents(id).Single().Properties);
            var redrive = _template.Properties(queue)["RedrivePolicy"]!["maxReceiveCount"];
            var setting = _template.Properties(id)["Environment"]!["Variables"]!["MAX_RECEIVE_COUNT"];

            // The same expression, so no parameter value can make the function's "last receive" and SQS's differ.
            Assert.True(JsonNode.DeepEquals(redrive, setting), $"{id}: MAX_RECEIVE_COUNT {setting?.ToJsonString()} vs {queue} redrive {redrive?.ToJsonString()}");
        }
    }

    [Fact]
    public void SqsConsumers_DeadLetterQueueUrl_IsTheDeadLetterQueueOfTheirSourceQueue()
    {
        foreach (var id in ConsumerIds())
        {
            var queue = ServerlessTemplate.QueueOf(_template.SqsEvents(id).Single().Properties);
            var deadLetterQueue = _template.DeadLetterQueueOf(queue);

            Assert.NotNull(deadLetterQueue);
            Assert.Equal(deadLetterQueue, ServerlessTemplate.RefTarget(_template.Properties(id)["Environment"]!["Variables"]!["DEAD_LETTER_QUEUE_URL"]));
        }
    }

    [Fact]
    public void SqsConsumers_QueueVisibilityTimeout_IsAtLeastSixTimesTheFunctionTimeoutPlusBatchingWindow()
    {
        foreach (var id in ConsumerIds())
        {
            var sqsEvent = _template.SqsEvents(id).Single().Properties;
            var queue = ServerlessTemplate.QueueOf(sqsEvent);
            var timeout = _template.UpperBound(_template.Properties(id)["Timeout"]);
            var window = sqsEvent["MaximumBatchingWindowInSeconds"] is { } w ? _template.UpperBound(w) : 0;
            var visibility = _template.LowerBound(_template.Properties(queue)["VisibilityTimeout"]);

            // AWS guidance for Lambda on SQS: room for retries when the function is throttled mid-batch.
            Assert.True(visibility >= (6 * timeout) + window, $"{queue}: visibility {visibility}s < 6 x {timeout}s + {window}s window ({id})");
        }
    }

    [Fact]
    public void IngestEvent_Scaling_IsBoundedAndAboveTheServiceMinimum()
    {
        var ingest = _template.SqsEvents("IngestFunction").Single().Properties;
        var concurrency = ingest["ScalingConfig"]!["MaximumConcurrency"];

        Assert.Equal("IngestMaxConcurrency", ServerlessTemplate.RefTarget(concurrency));
        Assert.True(_template.LowerBound(concurrency) >= 2, "SQS maximum concurrency below 2 is refused by Lambda");
        Assert.True(_template.UpperBound(concurrency) <= 1000);
        Assert.Equal("IngestBatchSize", ServerlessTemplate.RefTarget(ingest["BatchSize"]));
        Assert.Equal("IngestBatchingWindowSeconds", ServerlessTemplate.RefTarget(ingest["MaximumBatchingWindowInSeconds"]));
    }

    [Theory]
    [InlineData(null, null, true)]
    [InlineData("10", "0", true)]
    [InlineData("1", "0", true)]
    [InlineData("100", "5", true)]
    [InlineData("1000", "1", true)]
    [InlineData("11", "0", false)]
    [InlineData("100", "0", false)]
    public void IngestBatchingRule_BatchesAbove10WithoutAWindow_AreRefusedBeforeDeployment(string? batchSize, string? window, bool holds)
    {
        // Lambda refuses an SQS event source mapping with BatchSize > 10 and no batching window; the template's
        // rule refuses those parameters before CloudFormation touches anything (null: the parameter's default).
        var values = new Dictionary<string, string>();
        if (batchSize is not null)
        {
            values["IngestBatchSize"] = batchSize;
        }

        if (window is not null)
        {
            values["IngestBatchingWindowSeconds"] = window;
        }

        Assert.Equal(holds, new TemplateEvaluator(_template, values).RuleHolds("IngestBatchesAbove10NeedAWindow"));
    }

    [Fact]
    public void IngestBatchingDefaults_AnswerWithoutWaiting()
    {
        // The loop's latency is the ingest batching window plus milliseconds: the default does not wait.
        Assert.Equal(0, _template.Parameter("IngestBatchingWindowSeconds")["Default"]!.GetValue<int>());
        Assert.Equal(10, _template.Parameter("IngestBatchSize")["Default"]!.GetValue<int>());
    }

    [Fact]
    public void CommandApi_Routes_PostCommandsAndEverythingElseReachTheFunctionWithPayload2()
    {
        Assert.Equal("AWS::Serverless::HttpApi", _template.TypeOf("CommandApi"));
        var events = _template.Events("CommandApiFunction", "HttpApi");

        Assert.All(events, e => Assert.Equal("CommandApi", ServerlessTemplate.RefTarget(e.Properties["ApiId"])));
        Assert.All(events, e => Assert.Equal("2.0", e.Properties["PayloadFormatVersion"]!.GetValue<string>()));
        Assert.Contains(events, e => e.Properties["Method"]?.GetValue<string>() == "POST" && e.Properties["Path"]?.GetValue<string>() == "/commands");
        // The $default route (no path, no method): other routes and methods get the function's problem documents.
        Assert.Contains(events, e => e.Properties["Method"] is null && e.Properties["Path"] is null);
        Assert.All(events, e => Assert.True(
            e.Properties["TimeoutInMillis"]!.GetValue<int>() > 1000 * _template.UpperBound(_template.Properties("CommandApiFunction")["Timeout"]),
            "the API must wait for the function's own timeout"));
    }

    private IEnumerable<string> ConsumerIds() =>
        _template.ResourcesOfType(ServerlessTemplate.FunctionType).Where(id => _template.SqsEvents(id).Count > 0);
}
