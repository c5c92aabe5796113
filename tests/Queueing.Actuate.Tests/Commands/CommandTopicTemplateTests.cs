using Queueing.Actuate.Commands;

namespace Queueing.Actuate.Tests.Commands;

public sealed class CommandTopicTemplateTests
{
    private static CommandTopicTemplate Create(string template)
    {
        Assert.True(CommandTopicTemplate.TryCreate(template, out var result, out var problems), string.Join("; ", problems));
        return result!;
    }

    [Theory]
    [InlineData("devices/{deviceId}/commands", "lamp-1", "devices/lamp-1/commands")]
    [InlineData("{deviceId}", "a:b", "a:b")]
    [InlineData("site/ghent/{deviceId}/cmd", "x_1", "site/ghent/x_1/cmd")]
    public void TopicFor_ValidTemplate_PutsTheDeviceIdInItsLevel(string template, string deviceId, string topic)
    {
        Assert.Equal(topic, Create(template).TopicFor(deviceId));
    }

    [Theory]
    [InlineData("devices/commands", "exactly once")]
    [InlineData("devices/{deviceId}/{deviceId}", "exactly once")]
    [InlineData("devices/{DeviceId}/commands", "exactly once")]
    [InlineData("devices/+/{deviceId}", "wildcards")]
    [InlineData("devices/{deviceId}/#", "wildcards")]
    [InlineData("$aws/things/{deviceId}/shadow/update", "start with $")]
    [InlineData("/devices/{deviceId}", "empty topic levels")]
    [InlineData("devices//{deviceId}", "empty topic levels")]
    [InlineData("devices/{deviceId}/", "empty topic levels")]
    [InlineData("{site}/{deviceId}", "braces")]
    [InlineData("a/b/c/d/e/f/g/h/{deviceId}", "at most 7 slashes")]
    [InlineData("devices/{deviceId}/\ncommands", "control characters")]
    public void TryCreate_InvalidTemplate_NamesTheProblem(string template, string expected)
    {
        Assert.False(CommandTopicTemplate.TryCreate(template, out _, out var problems));
        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void TryCreate_TopicTooLongForTheLongestDeviceId_Refused()
    {
        Assert.False(CommandTopicTemplate.TryCreate(new string('t', 129) + "/{deviceId}", out _, out var problems));
        Assert.Contains(problems, p => p.Contains("256 UTF-8 bytes", StringComparison.Ordinal));
    }
}
