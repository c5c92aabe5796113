using System.Text.Json.Nodes;
using Queueing.Emulators.Template;

namespace Queueing.Local.Tests.Support;

/// <summary>Small templates built in the tests, loaded into the model.</summary>
internal static class Templates
{
    public static readonly StackContext Stack = new()
    {
        StackName = "teststack",
        Region = "eu-west-1",
        AccountId = "123456789012",
        SqsEndpoint = new Uri("http://127.0.0.1:5000/"),
    };

    public static StackModel Load(string json, IReadOnlyDictionary<string, string>? overrides = null, StackContext? stack = null) =>
        StackModel.Load(TemplateDocument.Parse(json, "test.template"), stack ?? Stack, overrides ?? new Dictionary<string, string>());

    /// <summary>A template with one function whose environment variable VALUE holds <paramref name="valueJson"/>.</summary>
    public static string WithValue(string valueJson, string extraResources = "", string parameters = "{}", string conditions = "{}", string mappings = "{}") => $$"""
        {
          "Transform": "AWS::Serverless-2016-10-31",
          "Parameters": {{parameters}},
          "Conditions": {{conditions}},
          "Mappings": {{mappings}},
          "Resources": {
            "Fn": {
              "Type": "AWS::Serverless::Function",
              "Properties": { "Handler": "echo", "Environment": { "Variables": { "VALUE": {{valueJson}} } } }
            },
            "Queue": { "Type": "AWS::SQS::Queue", "Properties": { "VisibilityTimeout": 60 } }{{extraResources}}
          }
        }
        """;

    /// <summary>The resolved VALUE variable of <see cref="WithValue"/>.</summary>
    public static string Value(string valueJson, string extraResources = "", string parameters = "{}", string conditions = "{}", string mappings = "{}", IReadOnlyDictionary<string, string>? overrides = null) =>
        Load(WithValue(valueJson, extraResources, parameters, conditions, mappings), overrides).Functions["Fn"].Environment["VALUE"];

    public static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();
}
