using Queueing.Emulators.Template;
using Queueing.Testing;

namespace Queueing.Local.Tests.Template;

/// <summary>The model on the repository's real serverless.template.</summary>
public sealed class ServerlessTemplateTests
{
    // The real template under its real stack name, as `up` loads it.
    private static readonly StackContext Stack = QueueingApplication.Stack(new Uri("http://127.0.0.1:5000/"));

    private static StackModel Load(IReadOnlyDictionary<string, string>? overrides = null) =>
        StackModel.Load(
            TemplateDocument.Load(RepositoryRoot.File("serverless.template")),
            Stack,
            overrides ?? new Dictionary<string, string> { ["IotDataEndpoint"] = "iot.example.com" });

    [Fact]
    public void Load_RealTemplate_HasTheThreeFunctionsWithTheirHandlers()
    {
        var model = Load();

        Assert.Equal("ingest", model.Functions["IngestFunction"].Handler);
        Assert.Equal("command-api", model.Functions["CommandApiFunction"].Handler);
        Assert.Equal("command-publisher", model.Functions["CommandPublisherFunction"].Handler);
    }

    [Fact]
    public void Load_RealTemplate_IngestEnvironmentResolvesToLocalValues()
    {
        var ingest = Load().Functions["IngestFunction"];

        Assert.Equal("https://api.waylay.io", ingest.Environment["WAYLAY_DATA_URL"]);
        Assert.Equal("/queueing/waylay-credentials", ingest.Environment["WAYLAY_CREDENTIALS_PARAMETER"]);
        Assert.Equal("http://127.0.0.1:5000/123456789012/queueing-IngestDLQ", ingest.Environment["DEAD_LETTER_QUEUE_URL"]);
        Assert.Equal("5", ingest.Environment["MAX_RECEIVE_COUNT"]);
        Assert.Equal("Information", ingest.Environment["LOG_LEVEL"]);
    }

    [Fact]
    public void Load_RealTemplate_IngestSqsEventMatchesTheParameters()
    {
        var sqs = Assert.Single(Load().Functions["IngestFunction"].SqsEvents);

        Assert.Equal("arn:aws:sqs:us-east-1:123456789012:queueing-IngestQueue", sqs.QueueArn);
        Assert.Equal(10, sqs.BatchSize);
        Assert.Equal(0, sqs.MaximumBatchingWindowInSeconds);
        Assert.Equal(5, sqs.MaximumConcurrency);
        Assert.True(sqs.ReportBatchItemFailures);
    }

    [Fact]
    public void Load_RealTemplate_QueuesHaveRedriveToTheirDlqs()
    {
        var model = Load();

        Assert.Equal(model.Queues["IngestDLQ"].Arn, model.Queues["IngestQueue"].DeadLetterTargetArn);
        Assert.Equal(model.Queues["CommandDLQ"].Arn, model.Queues["CommandQueue"].DeadLetterTargetArn);
        Assert.True(model.Queues["CommandQueue"].Fifo);
        Assert.True(model.Queues["CommandDLQ"].Fifo);
        Assert.Equal(5, model.Queues["IngestQueue"].MaxReceiveCount);
        Assert.Contains(model.Queues["IngestQueue"].Arn, model.Queues["IngestDLQ"].RedriveAllowPolicy, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RealTemplate_CommandApiRoutesIncludeDefaultRoute()
    {
        var routes = Load().Functions["CommandApiFunction"].HttpApiEvents;

        Assert.Contains(routes, r => r is { Method: "POST", Path: "/commands", ApiLogicalId: "CommandApi" });
        Assert.Contains(routes, r => r is { Path: "$default", ApiLogicalId: "CommandApi" });
    }

    [Fact]
    public void Load_RealTemplate_TopicRuleSqlAndActionsResolve()
    {
        var rule = Load().TopicRules.Single(r => r.LogicalId == "TelemetryRule");

        var payload = rule.Properties["TopicRulePayload"]!;
        Assert.Equal("queueing_TelemetryRule", rule.Properties["RuleName"]!.ToString());
        Assert.Equal(
            "SELECT *, topic(2) AS deviceId, timestamp() AS receivedAt FROM 'devices/+/telemetry' WHERE isUndefined(deviceId) AND isUndefined(receivedAt) AND isUndefined(commandEvent)",
            payload["Sql"]!.ToString());
        Assert.Equal("http://127.0.0.1:5000/123456789012/queueing-IngestQueue", payload["Actions"]![0]!["Sqs"]!["QueueUrl"]!.ToString());
        Assert.Equal("http://127.0.0.1:5000/123456789012/queueing-TelemetryRuleErrors", payload["ErrorAction"]!["Sqs"]!["QueueUrl"]!.ToString());
    }

    [Fact]
    public void Load_RealTemplateWithLocalDefaults_UsesPlaceholderForIotDataEndpoint()
    {
        var model = StackModel.Load(TemplateDocument.Load(RepositoryRoot.File("serverless.template")), Stack, new Dictionary<string, string>(), QueueingApplication.LocalParameterDefaults);

        Assert.Equal(["IotDataEndpoint"], model.LocalDefaultsUsed);
        Assert.Equal(QueueingApplication.UnresolvableIotEndpoint, model.Functions["CommandPublisherFunction"].Environment["IOT_DATA_ENDPOINT"]);
    }

    [Fact]
    public void Load_RealTemplateWithoutIotDataEndpoint_IsRefusedNamingTheParameter()
    {
        var error = Assert.Throws<TemplateException>(() => Load(new Dictionary<string, string>()));

        Assert.Contains("Parameter 'IotDataEndpoint'", error.Message, StringComparison.Ordinal);
    }
}
