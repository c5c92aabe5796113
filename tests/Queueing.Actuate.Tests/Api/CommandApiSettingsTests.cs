using Queueing.Actuate.Api;
using Queueing.Shared.Settings;

namespace Queueing.Actuate.Tests.Api;

public sealed class CommandApiSettingsTests
{
    private static Dictionary<string, string> Valid() => new(StringComparer.Ordinal)
    {
        ["COMMAND_QUEUE_URL"] = "https://sqs.us-east-1.amazonaws.com/123456789012/CommandQueue.fifo",
        ["COMMAND_SIGNING_SECRET_PARAMETER"] = "/queueing/command-signing-secret",
        ["COMMAND_TOPIC_TEMPLATE"] = "devices/{deviceId}/commands",
        ["COMMAND_TTL_DEFAULT_SECONDS"] = "60",
        ["COMMAND_TTL_MAX_SECONDS"] = "3600",
    };

    private static IReadOnlyList<string> Problems(Dictionary<string, string> variables) =>
        Assert.Throws<SettingsException>(() => CommandApiSettings.Read(new SettingsReader(variables))).Problems;

    [Fact]
    public void Read_ValidSettings_ReturnsThem()
    {
        var settings = CommandApiSettings.Read(new SettingsReader(Valid()));

        Assert.Equal("/123456789012/CommandQueue.fifo", settings.QueueUrl.AbsolutePath);
        Assert.Equal("/queueing/command-signing-secret", settings.SigningSecretParameter);
        Assert.Equal("devices/lamp-1/commands", settings.TopicTemplate.TopicFor("lamp-1"));
        Assert.Equal((60, 3600), (settings.TtlDefaultSeconds, settings.TtlMaxSeconds));
    }

    [Fact]
    public void Read_StandardQueueUrl_SaysItMustBeFifo()
    {
        var variables = Valid();
        variables["COMMAND_QUEUE_URL"] = "https://sqs.us-east-1.amazonaws.com/123456789012/CommandQueue";

        Assert.Contains("must be a FIFO queue", Assert.Single(Problems(variables)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "COMMAND_QUEUE_URL is required but not set.")]
    [InlineData("not a url", "COMMAND_QUEUE_URL must be an absolute http(s) URL")]
    public void Read_MissingOrInvalidQueueUrl_OneProblemNotASecondAboutFifo(string? value, string expected)
    {
        var variables = Valid();
        if (value is null)
        {
            variables.Remove("COMMAND_QUEUE_URL");
        }
        else
        {
            variables["COMMAND_QUEUE_URL"] = value;
        }

        Assert.StartsWith(expected, Assert.Single(Problems(variables)), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_DefaultAboveMaximum_SaysSo()
    {
        var variables = Valid();
        variables["COMMAND_TTL_DEFAULT_SECONDS"] = "600";
        variables["COMMAND_TTL_MAX_SECONDS"] = "60";

        Assert.Equal("COMMAND_TTL_DEFAULT_SECONDS (600) must not exceed COMMAND_TTL_MAX_SECONDS (60).", Assert.Single(Problems(variables)));
    }

    [Fact]
    public void Read_InvalidMaximum_OneProblemNotASecondComparingWithItsPlaceholder()
    {
        var variables = Valid();
        variables["COMMAND_TTL_MAX_SECONDS"] = "forever";

        Assert.StartsWith("COMMAND_TTL_MAX_SECONDS must be an integer", Assert.Single(Problems(variables)), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_EverythingWrong_NamesEverySetting()
    {
        var problems = Problems(new Dictionary<string, string>(StringComparer.Ordinal) { ["COMMAND_TOPIC_TEMPLATE"] = "devices/+/{deviceId}" });

        Assert.Contains(problems, p => p.StartsWith("COMMAND_QUEUE_URL is required", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("COMMAND_SIGNING_SECRET_PARAMETER is required", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("COMMAND_TOPIC_TEMPLATE 'devices/+/{deviceId}' must not contain the MQTT wildcards", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("COMMAND_TTL_DEFAULT_SECONDS is required", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("COMMAND_TTL_MAX_SECONDS is required", StringComparison.Ordinal));
        Assert.Equal(5, problems.Count);
    }
}
