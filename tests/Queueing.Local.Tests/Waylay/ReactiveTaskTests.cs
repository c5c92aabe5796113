using System.Text.Json;
using System.Text.Json.Nodes;
using Queueing.Emulators.Waylay.Rules;

namespace Queueing.Local.Tests.Waylay;

public sealed class ReactiveTaskTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2025-11-28T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static List<string> Run(ReactiveTask task, params object?[] values)
    {
        var fired = new List<string>();
        for (var i = 0; i < values.Length; i++)
        {
            var evaluation = task.Evaluate(TestTemplates.Event(task.Resource, 1000 + i, values[i]), T0.AddSeconds(i));
            fired.Add(string.Join("+", evaluation.Actuations.Select(a => a.Actuator.Label)));
        }

        return fired;
    }

    [Fact]
    public void Evaluate_StateChangeTriggers_FireOncePerCrossingOfTheThreshold()
    {
        var task = new ReactiveTask(TestTemplates.Load(TestTemplates.LightThreshold("stateChange")), "lamp-1");

        var fired = Run(task, 100, 400, 500, 200, 150, 350, 360, 349);

        // Unknown -> Below fires lightOn; Equal at 350 fires nothing; Equal -> Above and Above -> Below fire again.
        Assert.Equal(["lightOn", "lightOff", "", "lightOn", "", "", "lightOff", "lightOn"], fired);
    }

    [Fact]
    public void Evaluate_StatesTriggers_FireAtEveryObservationInTheState()
    {
        var task = new ReactiveTask(TestTemplates.Load(TestTemplates.LightThreshold("states")), "lamp-1");

        var fired = Run(task, 100, 400, 500, 350, 200);

        Assert.Equal(["lightOn", "lightOff", "lightOff", "", "lightOn"], fired);
    }

    [Fact]
    public void Evaluate_ExecutionTriggers_FireOnEverySuccessfulExecution()
    {
        var task = new ReactiveTask(TestTemplates.Load(TestTemplates.LightThreshold("execution")), "lamp-1");

        var fired = Run(task, 100, 350, null);

        Assert.Equal(["lightOff+lightOn", "lightOff+lightOn", ""], fired);
    }

    [Fact]
    public void Evaluate_EventWithoutTheParameterOrNotANumber_FailsTheSensorAndKeepsItsState()
    {
        var task = new ReactiveTask(TestTemplates.Load(TestTemplates.LightThreshold("stateChange")), "lamp-1");

        var fired = Run(task, 400, null, "bright", true, "420", 100);

        Assert.Equal(["lightOff", "", "", "", "", "lightOn"], fired);
        Assert.Equal(1, task.Evaluate(TestTemplates.Event("lamp-1", 1, null), T0).SensorsFailed);
    }

    [Fact]
    public void Evaluate_NumericStringValue_IsComparedAsANumber()
    {
        var task = new ReactiveTask(TestTemplates.Load(TestTemplates.LightThreshold("stateChange")), "lamp-1");

        Assert.Equal(["lightOff"], Run(task, "351.5"));
        Assert.Equal("Above", task.StateOf("lightLevel", T0));
    }

    [Fact]
    public void Evaluate_AfterTheEvictionTime_ThePreviousStateIsUnknownAgain()
    {
        var json = TestTemplates.LightThreshold("stateChange");
        json["sensors"]![0]!["evictionTime"] = 60_000;
        var task = new ReactiveTask(TestTemplates.Load(json), "lamp-1");

        var first = task.Evaluate(TestTemplates.Event("lamp-1", 1, 400), T0);
        var within = task.Evaluate(TestTemplates.Event("lamp-1", 2, 410), T0.AddSeconds(59));
        var afterEviction = task.Evaluate(TestTemplates.Event("lamp-1", 3, 420), T0.AddSeconds(59 + 60));

        Assert.Equal((1, 0, 1), (first.Actuations.Count, within.Actuations.Count, afterEviction.Actuations.Count));
        Assert.Null(task.StateOf("lightLevel", T0.AddSeconds(59 + 120)));
    }

    [Fact]
    public void Evaluate_Firing_FillsThePlaceholdersOfThePlugsProperties()
    {
        var json = TestTemplates.LightThreshold("stateChange");
        json["actuators"]![0]!["properties"]!["idempotencyKey"] = "{{RESOURCE}}:{{lightLevel.state}}:{{ lightLevel.parameter }}/{{lightLevel.threshold}}";
        json["actuators"]![0]!["properties"]!["qos"] = 1;
        var task = new ReactiveTask(TestTemplates.Load(json), "lamp-7");

        var actuation = Assert.Single(task.Evaluate(TestTemplates.Event("lamp-7", 1764288000000, 412.5), T0).Actuations);

        var expected = JsonNode.Parse("""
            {"deviceId":"lamp-7","payload":"{\"lightStatus\":\"off\"}","ttlSeconds":60,"idempotencyKey":"lamp-7:Above:412.5/350","qos":1}
            """);
        Assert.True(JsonNode.DeepEquals(expected, actuation.Properties), actuation.Properties.ToJsonString());
        Assert.Equal(("light-threshold", "lamp-7", "lightLevel", "Above", 1764288000000L),
            (actuation.Template, actuation.Resource, actuation.SensorLabel, actuation.State, actuation.EventTimestamp));
    }

    [Fact]
    public void Evaluate_ResetObservationsLeftAtItsDefault_EveryReadingLooksLikeAChangeAndFires()
    {
        var json = TestTemplates.LightThreshold("stateChange");
        json.Remove("taskDefaults");
        var task = new ReactiveTask(TestTemplates.Load(json), "lamp-1");

        var fired = Run(task, 100, 120, 400, 500);

        // resetObservations defaults to true: the previous state is cleared before each invocation, so the
        // stateChangeTrigger "* -> Below" holds at every reading. Hence light-threshold.json sets it to false.
        Assert.Equal(["lightOn", "lightOn", "lightOff", "lightOff"], fired);
    }

    [Fact]
    public void Evaluate_IndependentGraphs_DoNotFireEachOther()
    {
        var json = TwoSensorTemplate(shareActuator: false);
        var task = new ReactiveTask(TestTemplates.Load(json), "lamp-1");

        var light = task.Evaluate(Event("""{"lightValue":400}"""), T0);
        var heatOnly = task.Evaluate(Event("""{"temperature":30}"""), T0);

        Assert.Equal(["lightOff"], light.Actuations.Select(a => a.Actuator.Label));
        Assert.Equal(["fanOn"], heatOnly.Actuations.Select(a => a.Actuator.Label));
    }

    [Fact]
    public void Evaluate_StatesTriggerInTheSameGraph_FiresWhenAnotherSensorExecutes()
    {
        var json = TwoSensorTemplate(shareActuator: true);
        var task = new ReactiveTask(TestTemplates.Load(json), "lamp-1");

        task.Evaluate(Event("""{"lightValue":400}"""), T0);
        var heatOnly = task.Evaluate(Event("""{"temperature":30}"""), T0);

        // lightOff hangs off both sensors' graph: temperature's execution re-evaluates lightLevel's states trigger too.
        Assert.Equal(["lightOff"], heatOnly.Actuations.Select(a => a.Actuator.Label));
    }

    private static JsonObject TwoSensorTemplate(bool shareActuator)
    {
        var json = TestTemplates.LightThreshold("states");
        json["sensors"]!.AsArray().Add(new JsonObject
        {
            ["label"] = "heat",
            ["name"] = "streamingDataSensor",
            ["version"] = "1.1.1",
            ["resource"] = "$",
            ["properties"] = new JsonObject { ["parameter"] = "temperature", ["threshold"] = 25 },
        });
        json["actuators"]!.AsArray().Add(TestTemplates.Actuator("fanOn", "fan"));
        json["triggers"] = new JsonArray(
            TestTemplates.Trigger("lightOff", "Above", "states"),
            shareActuator ? TestTemplates.Trigger("lightOff", "Below", "states", sensor: "heat") : TestTemplates.Trigger("fanOn", "Above", "states", sensor: "heat"));
        return json;
    }

    private static Queueing.Emulators.Waylay.Broker.BrokerEvent Event(string json)
    {
        using var document = JsonDocument.Parse(json);
        return new Queueing.Emulators.Waylay.Broker.BrokerEvent("lamp-1", 1, document.RootElement.Clone());
    }
}
