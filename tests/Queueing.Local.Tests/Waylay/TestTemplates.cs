using System.Text.Json;
using System.Text.Json.Nodes;
using Queueing.Emulators.Waylay.Broker;
using Queueing.Emulators.Waylay.Rules;
using Queueing.Testing;

namespace Queueing.Local.Tests.Waylay;

/// <summary>
/// Rule templates built in C# for the tests, in the shape of waylay/templates/light-threshold.json, checked against
/// the repository's real contracts: the schemas of waylay/schemas and the plugs of waylay/plugins.
/// </summary>
internal static class TestTemplates
{
    public static TemplateContext Context { get; } = TemplateContext.ForWaylayDirectory(RepositoryRoot.File("waylay"));

    /// <summary>The light rule: lightValue vs 350, Above -> lightOff, Below -> lightOn, with the given trigger kind.</summary>
    public static JsonObject LightThreshold(string triggerKind = "stateChange") => new()
    {
        ["name"] = "light-threshold",
        ["taskDefaults"] = new JsonObject { ["type"] = "reactive", ["resetObservations"] = false },
        ["sensors"] = new JsonArray(new JsonObject
        {
            ["label"] = "lightLevel",
            ["name"] = "streamingDataSensor",
            ["version"] = "1.1.1",
            ["resource"] = "$",
            ["position"] = new JsonArray(150, 250),
            ["dataTrigger"] = true,
            ["tickTrigger"] = false,
            ["properties"] = new JsonObject { ["parameter"] = "lightValue", ["threshold"] = 350 },
        }),
        ["actuators"] = new JsonArray(Actuator("lightOff", "off"), Actuator("lightOn", "on")),
        ["relations"] = new JsonArray(),
        ["triggers"] = new JsonArray(Trigger("lightOff", "Above", triggerKind), Trigger("lightOn", "Below", triggerKind)),
    };

    public static JsonObject Actuator(string label, string status) => new()
    {
        ["label"] = label,
        ["name"] = "queueingCommand",
        ["version"] = "1.0.0",
        ["properties"] = new JsonObject
        {
            ["deviceId"] = "{{RESOURCE}}",
            ["payload"] = $$"""{"lightStatus":"{{status}}"}""",
            ["ttlSeconds"] = 60,
        },
    };

    public static JsonObject Trigger(string actuator, string state, string kind, string sensor = "lightLevel")
    {
        var trigger = new JsonObject { ["sourceLabel"] = sensor, ["destinationLabel"] = actuator };
        switch (kind)
        {
            case "stateChange":
                trigger["stateChangeTrigger"] = new JsonObject { ["stateFrom"] = "*", ["stateTo"] = state };
                break;
            case "states":
                trigger["statesTrigger"] = new JsonArray(state);
                break;
        }

        return trigger;
    }

    public static TaskTemplate Load(JsonObject template) => TemplateLoader.Load("test.json", template.ToJsonString(), Context);

    public static BrokerEvent Event(string resource, long timestamp, object? lightValue)
    {
        var json = new JsonObject { ["resource"] = resource, ["timestamp"] = timestamp };
        if (lightValue is not null)
        {
            json["lightValue"] = JsonValue.Create(lightValue);
        }

        using var document = JsonDocument.Parse(json.ToJsonString());
        return new BrokerEvent(resource, timestamp, document.RootElement.Clone());
    }
}
