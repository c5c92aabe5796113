using Queueing.Template.Tests.Support;

namespace Queueing.Template.Tests;

public sealed class MonitoringTests
{
    private readonly ServerlessTemplate _template = ServerlessTemplate.Current;

    [Theory]
    [InlineData("IngestDLQ")]
    [InlineData("CommandDLQ")]
    [InlineData("TelemetryRuleErrors")]
    public void DepthAlarm_DeadLetterOrErrorQueue_FiresOnTheFirstMessage(string queue)
    {
        var alarm = Assert.Single(AlarmsOn(queue), id => _template.Properties(id)["MetricName"]!.GetValue<string>() == "ApproximateNumberOfMessagesVisible");
        var properties = _template.Properties(alarm);

        Assert.Equal("AWS/SQS", properties["Namespace"]!.GetValue<string>());
        Assert.Equal(0, properties["Threshold"]!.GetValue<int>());
        Assert.Equal("GreaterThanThreshold", properties["ComparisonOperator"]!.GetValue<string>());
        Assert.Equal("Maximum", properties["Statistic"]!.GetValue<string>());
        // An idle queue publishes no data points; that is the healthy state, not an unknown one.
        Assert.Equal("notBreaching", properties["TreatMissingData"]!.GetValue<string>());
    }

    [Fact]
    public void CommandStatusNotSentAlarm_FiresOnTheFirstStatusMessageThePublisherCouldNotSend()
    {
        // The one place the status flow loses something (the command itself was handled): nothing else records it.
        var properties = _template.Properties("CommandStatusNotSentAlarm");

        Assert.Equal("Queueing", properties["Namespace"]!.GetValue<string>());
        Assert.Equal("CommandStatusNotSent", properties["MetricName"]!.GetValue<string>());
        var dimension = Assert.Single(properties["Dimensions"]!.AsArray())!;
        Assert.Equal("FunctionName", dimension["Name"]!.GetValue<string>());
        Assert.Equal("CommandPublisherFunction", ServerlessTemplate.RefTarget(dimension["Value"]));
        Assert.Equal("Sum", properties["Statistic"]!.GetValue<string>());
        Assert.Equal(0, properties["Threshold"]!.GetValue<int>());
        Assert.Equal("GreaterThanThreshold", properties["ComparisonOperator"]!.GetValue<string>());
        Assert.Equal("notBreaching", properties["TreatMissingData"]!.GetValue<string>());
    }

    [Fact]
    public void Alarms_WithAndWithoutTopic_NotifyOnlyWhenATopicIsGiven()
    {
        const string topic = "arn:aws:sns:eu-west-1:123456789012:ops";
        var values = new Dictionary<string, string> { ["IotDataEndpoint"] = "abc123-ats.iot.eu-west-1.amazonaws.com" };
        var silent = new TemplateEvaluator(_template, values);
        var notifying = new TemplateEvaluator(_template, new Dictionary<string, string>(values) { ["AlarmTopicArn"] = topic });

        foreach (var alarm in _template.ResourcesOfType("AWS::CloudWatch::Alarm"))
        {
            Assert.Null(silent.ResolvedProperties(alarm)!["AlarmActions"]);
            Assert.Equal([topic], notifying.ResolvedProperties(alarm)!["AlarmActions"]!.AsArray().Select(a => a!.GetValue<string>()));
        }
    }

    [Fact]
    public void Outputs_Template_NameWhatAnOperatorNeeds()
    {
        var expected = new Dictionary<string, string>
        {
            ["IngestQueueUrl"] = "IngestQueue",
            ["IngestDLQUrl"] = "IngestDLQ",
            ["TelemetryRuleErrorsUrl"] = "TelemetryRuleErrors",
            ["CommandQueueUrl"] = "CommandQueue",
            ["CommandDLQUrl"] = "CommandDLQ",
            ["IngestFunctionName"] = "IngestFunction",
            ["CommandApiFunctionName"] = "CommandApiFunction",
            ["CommandPublisherFunctionName"] = "CommandPublisherFunction",
            ["DevicePolicyName"] = "DevicePolicy",
        };
        foreach (var (output, resource) in expected)
        {
            Assert.Equal(resource, ServerlessTemplate.RefTarget(_template.Outputs[output]?["Value"]));
        }

        var evaluator = new TemplateEvaluator(_template, new Dictionary<string, string> { ["IotDataEndpoint"] = "abc123-ats.iot.eu-west-1.amazonaws.com" });
        Assert.Equal(
            $"https://ref:CommandApi.execute-api.{TemplateEvaluator.Region}.amazonaws.com/commands",
            evaluator.EvaluateString(_template.Outputs["CommandApiUrl"]!["Value"]));
        Assert.Equal("IngestQueue", ServerlessTemplate.GetAttTarget(_template.Outputs["IngestQueueArn"]!["Value"], "Arn"));
        Assert.Equal("CommandQueue", ServerlessTemplate.GetAttTarget(_template.Outputs["CommandQueueArn"]!["Value"], "Arn"));
    }

    private IEnumerable<string> AlarmsOn(string queue) =>
        _template.ResourcesOfType("AWS::CloudWatch::Alarm").Where(id =>
            _template.Properties(id)["Dimensions"]!.AsArray().Any(d =>
                d!["Name"]!.GetValue<string>() == "QueueName" && ServerlessTemplate.GetAttTarget(d["Value"], "QueueName") == queue));
}
