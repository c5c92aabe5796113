using Queueing.Actuate.Publisher;
using Queueing.Shared.Settings;

namespace Queueing.Actuate.Tests.Publisher;

public sealed class CommandPublisherSettingsTests
{
    private static Dictionary<string, string> Valid() => new(StringComparer.Ordinal)
    {
        ["IOT_DATA_ENDPOINT"] = "abc123-ats.iot.us-east-1.amazonaws.com",
        ["COMMAND_TOPIC_TEMPLATE"] = "devices/{deviceId}/commands",
        ["DEAD_LETTER_QUEUE_URL"] = "https://sqs.us-east-1.amazonaws.com/123456789012/CommandDLQ.fifo",
        ["STATUS_QUEUE_URL"] = "https://sqs.us-east-1.amazonaws.com/123456789012/IngestQueue",
        ["MAX_RECEIVE_COUNT"] = "5",
        ["AWS_REGION"] = "us-east-1",
    };

    private static IReadOnlyList<string> Problems(Dictionary<string, string> variables) =>
        Assert.Throws<SettingsException>(() => CommandPublisherSettings.Read(new SettingsReader(variables))).Problems;

    [Fact]
    public void Read_ValidSettings_ReturnsTheTopicTemplate()
    {
        var settings = CommandPublisherSettings.Read(new SettingsReader(Valid()));

        Assert.Equal("devices/lamp-1/commands", settings.TopicTemplate.TopicFor("lamp-1"));
        Assert.Equal("https://abc123-ats.iot.us-east-1.amazonaws.com/", settings.IotDataEndpoint.ToString());
        Assert.Equal("https://sqs.us-east-1.amazonaws.com/123456789012/IngestQueue", settings.StatusQueueUrl.ToString());
    }

    [Fact]
    public void Read_NoStatusQueue_InitFailsNamingIt()
    {
        // Without it the publisher could not report any command's fate: a deployment mistake, refused at init.
        var variables = Valid();
        variables.Remove("STATUS_QUEUE_URL");

        Assert.Equal("STATUS_QUEUE_URL is required but not set.", Assert.Single(Problems(variables)));
    }

    [Fact]
    public void Read_NoTopicTemplate_InitFailsNamingIt()
    {
        var variables = Valid();
        variables.Remove("COMMAND_TOPIC_TEMPLATE");

        Assert.Equal("COMMAND_TOPIC_TEMPLATE is required but not set.", Assert.Single(Problems(variables)));
    }

    [Fact]
    public void Read_BadTopicTemplateAndOtherProblems_ReportedTogether()
    {
        var variables = Valid();
        variables["COMMAND_TOPIC_TEMPLATE"] = "devices/#/{deviceId}";
        variables.Remove("DEAD_LETTER_QUEUE_URL");

        var problems = Problems(variables);

        Assert.Contains(problems, p => p.StartsWith("COMMAND_TOPIC_TEMPLATE 'devices/#/{deviceId}' must not contain the MQTT wildcards", StringComparison.Ordinal));
        Assert.Contains("DEAD_LETTER_QUEUE_URL is required but not set.", problems);
        Assert.Equal(2, problems.Count);
    }
}
