using System.Text.Json;
using Queueing.Testing;

namespace Queueing.Actuate.Tests.Waylay;

/// <summary>waylay/templates/light-threshold.json: valid JSON, the original rule's logic, no AWS keys.</summary>
public sealed class LightThresholdTemplateTests
{
    private static readonly string Text = File.ReadAllText(RepositoryRoot.File("waylay", "templates", "light-threshold.json"));

    private static JsonElement Root() => JsonDocument.Parse(Text, new JsonDocumentOptions { AllowDuplicateProperties = false }).RootElement;

    [Fact]
    public void Template_StreamingSensor_WatchesLightValueAgainst350OnTheTaskResource()
    {
        var sensor = Assert.Single(Root().GetProperty("sensors").EnumerateArray());
        Assert.Equal("streamingDataSensor", sensor.GetProperty("name").GetString());
        Assert.Equal("$", sensor.GetProperty("resource").GetString());
        Assert.True(sensor.GetProperty("dataTrigger").GetBoolean());
        Assert.Equal("lightValue", sensor.GetProperty("properties").GetProperty("parameter").GetString());
        Assert.Equal(350, sensor.GetProperty("properties").GetProperty("threshold").GetInt32());
    }

    [Theory]
    [InlineData("Above", "{\"lightStatus\":\"off\"}")]
    [InlineData("Below", "{\"lightStatus\":\"on\"}")]
    public void Template_StateOfTheSensor_TriggersTheMatchingCommand(string state, string payload)
    {
        var root = Root();
        var trigger = Assert.Single(root.GetProperty("triggers").EnumerateArray(), t => t.GetProperty("stateChangeTrigger").GetProperty("stateTo").GetString() == state);
        Assert.Equal("lightLevel", trigger.GetProperty("sourceLabel").GetString());
        var actuator = Assert.Single(root.GetProperty("actuators").EnumerateArray(), a => a.GetProperty("label").GetString() == trigger.GetProperty("destinationLabel").GetString());
        var properties = actuator.GetProperty("properties");
        Assert.Equal(payload, properties.GetProperty("payload").GetString());
        Assert.Equal("{{RESOURCE}}", properties.GetProperty("deviceId").GetString());
    }

    [Fact]
    public void Template_EveryTriggerLabel_NamesANode()
    {
        var root = Root();
        var labels = root.GetProperty("sensors").EnumerateArray().Concat(root.GetProperty("actuators").EnumerateArray())
            .Select(n => n.GetProperty("label").GetString()).ToHashSet();
        Assert.All(root.GetProperty("triggers").EnumerateArray(), t =>
        {
            Assert.Contains(t.GetProperty("sourceLabel").GetString(), labels);
            Assert.Contains(t.GetProperty("destinationLabel").GetString(), labels);
        });
    }

    [Theory]
    [InlineData("accessKey")]
    [InlineData("secretKey")]
    [InlineData("AKIA")]
    [InlineData("aws_secret")]
    [InlineData("secret")]
    [InlineData("topic")]
    public void Template_CarriesNoAwsCredentialsAndNoTopic(string forbidden)
    {
        Assert.DoesNotContain(forbidden, Text, StringComparison.OrdinalIgnoreCase);
    }
}
