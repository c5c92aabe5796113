using System.Text.Json;
using System.Text.Json.Nodes;
using Queueing.Emulators.Waylay.Contracts;
using Queueing.Emulators.Waylay.Plugs;
using Queueing.Testing;

namespace Queueing.Actuate.Tests.Waylay;

/// <summary>
/// waylay/templates: every file accepted by the rules engine's template schema (our transcription of the published
/// rules OpenAPI, waylay/schemas), only documented plugin versions and the plugs we ship; light-threshold.json has
/// the original rule's logic and no AWS keys.
/// </summary>
public sealed class LightThresholdTemplateTests
{
    public static TheoryData<string> TemplateFiles => new(Directory.EnumerateFiles(RepositoryRoot.File("waylay", "templates"), "*.json").Select(Path.GetFileName).OfType<string>());

    [Theory]
    [MemberData(nameof(TemplateFiles))]
    public void EveryTemplate_AgainstTheTemplateSchema_HasNoProblem(string file)
    {
        var rules = WaylayContract.Rules(RepositoryRoot.File("waylay", "schemas"));

        var problems = rules.Validate("TemplateEntity", File.ReadAllText(RepositoryRoot.File("waylay", "templates", file)));

        Assert.Empty(problems);
    }

    [Theory]
    [MemberData(nameof(TemplateFiles))]
    public void EveryTemplate_Nodes_UseDocumentedSensorVersionsAndShippedPlugs(string file)
    {
        var root = JsonNode.Parse(File.ReadAllText(RepositoryRoot.File("waylay", "templates", file)))!;
        var plugs = PlugCatalog.Load(RepositoryRoot.File("waylay", "plugins"), WaylayContract.Registry(RepositoryRoot.File("waylay", "schemas")));

        Assert.All(root["sensors"]!.AsArray(), s => Assert.Contains((string?)s!["version"], new[] { "1.1.0", "1.1.1" }));
        Assert.All(root["actuators"]!.AsArray(), a => Assert.NotNull(plugs.Find((string)a!["name"]!, (string)a["version"]!)));
        Assert.DoesNotContain("${", File.ReadAllText(RepositoryRoot.File("waylay", "templates", file)), StringComparison.Ordinal);
    }

    [Fact]
    public void Template_TaskDefaults_ReactiveAndKeepingObservationsSoStateChangesAreSeen()
    {
        var defaults = Root().GetProperty("taskDefaults");

        Assert.Equal("reactive", defaults.GetProperty("type").GetString());
        Assert.False(defaults.GetProperty("resetObservations").GetBoolean());
    }

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
        Assert.Equal(60, properties.GetProperty("ttlSeconds").GetInt32());
        Assert.Equal(("queueingCommand", "1.0.0"), (actuator.GetProperty("name").GetString(), actuator.GetProperty("version").GetString()));
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
