using Queueing.Actuate.Commands;
using Queueing.Actuate.Tests.Support;

namespace Queueing.Actuate.Tests.Commands;

public sealed class CommandMessageTests
{
    private static readonly Command Sample = new(
        "0b5b2c5e-8e8f-8a4c-9d2f-1f2e3d4c5b6a",
        "lamp-1",
        "devices/lamp-1/commands",
        1,
        "{ \"lightStatus\": \"on\" }",
        DateTimeOffset.Parse("2025-11-28T00:00:00.123Z", System.Globalization.CultureInfo.InvariantCulture),
        DateTimeOffset.Parse("2025-11-28T00:05:00.123Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void Serialize_WritesTheContractFieldsWithThePayloadVerbatim()
    {
        Assert.Equal(
            "{\"commandId\":\"0b5b2c5e-8e8f-8a4c-9d2f-1f2e3d4c5b6a\",\"deviceId\":\"lamp-1\",\"topic\":\"devices/lamp-1/commands\",\"qos\":1,"
            + "\"payload\":{ \"lightStatus\": \"on\" },\"acceptedAt\":\"2025-11-28T00:00:00.123Z\",\"expiresAt\":\"2025-11-28T00:05:00.123Z\"}",
            CommandMessage.Serialize(Sample));
    }

    [Fact]
    public void TryParse_SerializedCommand_RoundTrips()
    {
        Assert.True(CommandMessage.TryParse(CommandMessage.Serialize(Sample), Harness.Topics, out var command, out var recordedTopic, out var error), error);
        Assert.Equal(Sample, command);
        Assert.Equal(Sample.Topic, recordedTopic);
    }

    [Fact]
    public void TryParse_TopicDisagreesWithTheDevice_CommandHasTheDerivedTopicAndTheRecordedOneComesOut()
    {
        var body = CommandMessage.Serialize(Sample with { Topic = "devices/lamp-2/commands" });

        Assert.True(CommandMessage.TryParse(body, Harness.Topics, out var command, out var recordedTopic, out var error), error);
        Assert.Equal("devices/lamp-1/commands", command.Topic);
        Assert.Equal("devices/lamp-2/commands", recordedTopic);
    }

    [Fact]
    public void TryParse_NoTopicField_CommandHasTheDerivedTopic()
    {
        var body = CommandMessage.Serialize(Sample).Replace("\"topic\":\"devices/lamp-1/commands\",", "", StringComparison.Ordinal);

        Assert.True(CommandMessage.TryParse(body, Harness.Topics, out var command, out var recordedTopic, out var error), error);
        Assert.Equal(Sample, command);
        Assert.Null(recordedTopic);
    }

    [Fact]
    public void TryParse_UnknownExtraField_Tolerated()
    {
        var body = CommandMessage.Serialize(Sample).Replace("{\"commandId\"", "{\"note\":\"added by an operator\",\"commandId\"", StringComparison.Ordinal);
        Assert.True(CommandMessage.TryParse(body, Harness.Topics, out _, out _, out _));
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[]", "a command is an object")]
    [InlineData("{}", "commandId must be a non-empty string")]
    [InlineData("{\"commandId\":\"c\",\"commandId\":\"d\"}", "not valid JSON")]
    [InlineData("{\"\\ud800\":1}", "not valid JSON text")]
    [InlineData("{\"commandId\":\"\\ud800\"}", "not valid JSON text")]
    public void TryParse_UnusableBody_SaysWhy(string body, string expected)
    {
        Assert.False(CommandMessage.TryParse(body, Harness.Topics, out _, out _, out var error));
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData("\"deviceId\":\"lamp-1\"", "\"deviceId\":\"a/b\"", "deviceId must be")]
    [InlineData("\"topic\":\"devices/lamp-1/commands\"", "\"topic\":null", "topic must be a non-empty string")]
    [InlineData("\"topic\":\"devices/lamp-1/commands\"", "\"topic\":\"\"", "topic must be a non-empty string")]
    [InlineData("\"qos\":1", "\"qos\":2", "qos must be 0 or 1")]
    [InlineData("\"qos\":1", "\"qos\":\"1\"", "qos must be 0 or 1")]
    [InlineData("\"expiresAt\":\"2025-11-28T00:05:00.123Z\"", "\"expiresAt\":\"soon\"", "expiresAt must be an ISO 8601 time")]
    [InlineData("\"payload\":{ \"lightStatus\": \"on\" },", "", "payload is missing")]
    public void TryParse_InvalidField_IsMalformedWithTheReason(string field, string replacement, string expected)
    {
        var body = CommandMessage.Serialize(Sample).Replace(field, replacement, StringComparison.Ordinal);
        Assert.False(CommandMessage.TryParse(body, Harness.Topics, out _, out _, out var error));
        Assert.Contains(expected, error);
    }
}
