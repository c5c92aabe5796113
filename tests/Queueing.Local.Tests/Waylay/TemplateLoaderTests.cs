using System.Text.Json.Nodes;
using Queueing.Emulators.Waylay.Rules;
using Queueing.Testing;

namespace Queueing.Local.Tests.Waylay;

public sealed class TemplateLoaderTests
{
    [Fact]
    public void Load_LightThreshold_ReadsSensorActuatorsAndTriggers()
    {
        var template = TestTemplates.Load(TestTemplates.LightThreshold());

        Assert.Equal("light-threshold", template.Name);
        var sensor = Assert.Single(template.Sensors);
        Assert.Equal(("lightLevel", "lightValue", 350.0, (TimeSpan?)null), (sensor.Label, sensor.Parameter, sensor.Threshold, sensor.EvictionTime));
        Assert.Equal(["lightOff", "lightOn"], template.Actuators.Select(a => a.Label));
        var off = template.Actuators[0];
        Assert.Equal(("queueingCommand", "1.0.0"), (off.Plugin, off.Version));
        Assert.Equal(["deviceId", "payload", "ttlSeconds"], off.Properties.Select(p => p.Key));
        Assert.Equal(TimeSpan.FromSeconds(50), off.Timeout);
        Assert.False(template.ResetObservations);
        Assert.Equal(
            [new StateChangeTrigger("lightLevel", "lightOff", "*", "Above"), new StateChangeTrigger("lightLevel", "lightOn", "*", "Below")],
            template.Triggers);
    }

    [Fact]
    public void Load_OriginalStyleStringThresholdAndStatesTrigger_IsAccepted()
    {
        var json = TestTemplates.LightThreshold("states");
        json["sensors"]![0]!["properties"]!["threshold"] = "350";

        var template = TestTemplates.Load(json);

        Assert.Equal(350.0, template.Sensors[0].Threshold);
        Assert.Equal(new[] { "Above" }, Assert.IsType<StatesTrigger>(template.Triggers[0]).States);
    }

    [Fact]
    public void Load_TriggerWithoutCondition_IsAnExecutionTrigger()
    {
        var template = TestTemplates.Load(TestTemplates.LightThreshold("execution"));

        Assert.All(template.Triggers, t => Assert.IsType<ExecutionTrigger>(t));
    }

    [Fact]
    public void Load_NoTaskDefaults_ResetsObservationsAsTheRulesEngineDefaults()
    {
        var json = TestTemplates.LightThreshold();
        json.Remove("taskDefaults");

        Assert.True(TestTemplates.Load(json).ResetObservations);
    }

    public static TheoryData<string, string> RefusedBySchema => new()
    {
        { "version", "/sensors/0/version: " },
        { "actuator-key", "/actuators/0/url: " },
        { "no-name", "/: " },
        { "trigger", "/triggers/0: " },
        { "position", "/sensors/0/position: " },
    };

    [Theory]
    [MemberData(nameof(RefusedBySchema))]
    public void Load_TemplateTheSchemaRefuses_IsRefusedNamingTheSchemaAndThePointer(string construct, string pointer)
    {
        var json = TestTemplates.LightThreshold();
        switch (construct)
        {
            case "version": json["sensors"]![0]!["version"] = "1.1"; break;
            case "actuator-key": json["actuators"]![0]!["url"] = "https://example.invalid/send-command"; break;
            case "no-name": json.Remove("name"); break;
            case "trigger": json["triggers"]![0]!.AsObject().Remove("destinationLabel"); break;
            case "position": json["sensors"]![0]!["position"] = new JsonArray(1, 2, 3); break;
        }

        var refused = Assert.Throws<WaylayTemplateException>(() => TestTemplates.Load(json));

        Assert.Contains(refused.Problems, p => p.StartsWith("test.json: refused by the template schema (TemplateEntity of waylay-rules.schema.json): " + pointer, StringComparison.Ordinal));
    }

    public static TheoryData<string, string> Unsupported => new()
    {
        { "sensor-plugin", "sensor 'lightLevel': plugin 'currentWeather' cannot run" },
        { "relations", "relations (gates) are not supported" },
        { "variables", "variables (template variables) are not supported" },
        { "sensor-version", "streamingDataSensor 1.1.3 is not a documented version (1.1.0, 1.1.1)" },
        { "fixed-resource", "resource \"lamp-1\"" },
        { "no-resource", "resource (none)" },
        { "threshold", "properties.threshold \"high\" is not a number" },
        { "no-parameter", "properties.parameter must name" },
        { "sensor-property", "sensor 'lightLevel' properties: 'window' is not supported" },
        { "polling", "sensor 'lightLevel': pollingPeriod is not supported" },
        { "data-trigger", "dataTrigger is not true" },
        { "state", "statesTrigger state 'ABOVE' is not a state of streamingDataSensor" },
        { "state-change", "stateChangeTrigger.stateTo 'Hot'" },
        { "sensor-to-sensor", "sensor-to-sensor triggers" },
        { "actuator-source", "sourceLabel 'lightOn' is not a sensor of the template (actuators cannot trigger)" },
        { "actuator-plugin", "actuator 'lightOff': plug 'debugDialog' cannot run in the sandbox: it runs the plugs of waylay/plugins/ (queueingAlarm 1.0.0, queueingCommand 1.0.0)" },
        { "plug-version", "actuator 'lightOff': plug queueingCommand 2.0.0 is not in waylay/plugins/ (shipped: 1.0.0)" },
        { "binding", "properties.payload: ${...} bindings are not supported" },
        { "unknown-input", "property 'url' is not an input of queueingCommand" },
        { "mandatory", "property 'payload' is mandatory for queueingCommand" },
        { "placeholder", "placeholder {{TASK_ID}} is not supported" },
        { "invocation-policy", "invocationPolicy is not supported" },
        { "task-type", "reactive tasks only" },
        { "top-level", "the template: 'gates' is not supported" },
        { "both-triggers", "has both statesTrigger and stateChangeTrigger" },
        { "duplicate-label", "label 'lightOff' is used by more than one node" },
        { "no-sensor", "no sensor" },
    };

    [Theory]
    [MemberData(nameof(Unsupported))]
    public void Load_ConstructTheSandboxCannotRun_IsRefusedNamingIt(string construct, string expected)
    {
        var json = TestTemplates.LightThreshold();
        var sensor = json["sensors"]![0]!.AsObject();
        var actuator = json["actuators"]![0]!.AsObject();
        var trigger = json["triggers"]![0]!.AsObject();
        switch (construct)
        {
            case "sensor-plugin": sensor["name"] = "currentWeather"; break;
            case "relations": json["relations"] = new JsonArray(new JsonObject { ["label"] = "and", ["type"] = "AND", ["parentLabels"] = new JsonArray("lightLevel"), ["combinations"] = new JsonArray(new JsonArray("Above")) }); break;
            case "variables": json["variables"] = new JsonArray(new JsonObject { ["name"] = "threshold", ["type"] = "double" }); break;
            case "sensor-version": sensor["version"] = "1.1.3"; break;
            case "fixed-resource": sensor["resource"] = "lamp-1"; break;
            case "no-resource": sensor.Remove("resource"); break;
            case "threshold": sensor["properties"]!["threshold"] = "high"; break;
            case "no-parameter": sensor["properties"]!.AsObject().Remove("parameter"); break;
            case "sensor-property": sensor["properties"]!["window"] = "PT1M"; break;
            case "polling": sensor["pollingPeriod"] = 60; break;
            case "data-trigger": sensor["dataTrigger"] = false; break;
            case "state": json["triggers"]![0] = TestTemplates.Trigger("lightOff", "ABOVE", "states"); break;
            case "state-change": trigger["stateChangeTrigger"]!["stateTo"] = "Hot"; break;
            case "sensor-to-sensor": trigger["destinationLabel"] = "lightLevel"; break;
            case "actuator-source": trigger["sourceLabel"] = "lightOn"; break;
            case "actuator-plugin": actuator["name"] = "debugDialog"; break;
            case "plug-version": actuator["version"] = "2.0.0"; break;
            case "binding": actuator["properties"]!["payload"] = "${nodes.lightLevel.rawData.parameter}"; break;
            case "unknown-input": actuator["properties"]!["url"] = "${sendCommandWebscriptUrl}"; break;
            case "mandatory": actuator["properties"]!.AsObject().Remove("payload"); break;
            case "placeholder": actuator["properties"]!["deviceId"] = "{{TASK_ID}}"; break;
            case "invocation-policy": trigger["invocationPolicy"] = 1; break;
            case "task-type": json["taskDefaults"] = new JsonObject { ["type"] = "periodic", ["frequency"] = 900000 }; break;
            case "top-level": json["gates"] = new JsonArray(); break;
            case "both-triggers": trigger["statesTrigger"] = new JsonArray("Above"); break;
            case "duplicate-label": json["actuators"]![1]!["label"] = "lightOff"; break;
            case "no-sensor": json["sensors"] = new JsonArray(); json["triggers"] = new JsonArray(); break;
        }

        var refused = Assert.Throws<WaylayTemplateException>(() => TestTemplates.Load(json));

        Assert.Contains(refused.Problems, p => p.StartsWith("test.json: ", StringComparison.Ordinal) && p.Contains(expected, StringComparison.Ordinal));
        Assert.Contains(expected, refused.Message);
    }

    [Fact]
    public void Load_SeveralProblems_AreReportedTogether()
    {
        var json = TestTemplates.LightThreshold();
        json["sensors"]![0]!["properties"]!["threshold"] = "high";
        json["actuators"]![1]!["name"] = "debugDialog";
        json["sensors"]![0]!["version"] = "1.1.3";

        var refused = Assert.Throws<WaylayTemplateException>(() => TestTemplates.Load(json));

        Assert.True(refused.Problems.Count >= 3, string.Join("\n", refused.Problems));
    }

    [Fact]
    public void Load_NotJson_IsRefused()
    {
        var refused = Assert.Throws<WaylayTemplateException>(() => TemplateLoader.Load("broken.json", """{"sensors": [ { "label": "x" ]""", TestTemplates.Context));

        Assert.Contains("broken.json: not valid JSON", refused.Message);
    }

    [Fact]
    public void LoadDirectory_TwoTemplatesWithOneName_IsRefused()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("a.json"), TestTemplates.LightThreshold().ToJsonString());
        File.WriteAllText(dir.File("b.json"), TestTemplates.LightThreshold().ToJsonString());

        var refused = Assert.Throws<WaylayTemplateException>(() => TemplateLoader.LoadDirectory(dir.Path, TestTemplates.Context));

        Assert.Contains("template name 'light-threshold' is used by a.json and b.json", refused.Message);
    }

    [Fact]
    public void LoadDirectory_NoTemplates_IsRefused()
    {
        using var dir = new TempDirectory();

        Assert.Contains("no rule template", Assert.Throws<WaylayTemplateException>(() => TemplateLoader.LoadDirectory(dir.Path, TestTemplates.Context)).Message);
    }
}
