using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Queueing.Emulators.Template;

namespace Queueing.Emulators.IoT.Broker;

/// <summary>
/// The <see cref="DevicePolicy"/> the local broker enforces, read from the template's <c>AWS::IoT::Policy</c>
/// resources written for devices, i.e. using <c>${iot:Connection.Thing.ThingName}</c> (a thing may carry several;
/// their grants add up). Policies without that variable are for other principals the template does not name
/// (nothing attaches them locally) and are left out.
/// <para>
/// The broker only grants exact filters (and publish topics, with the policy wildcards <c>*</c> and <c>?</c>) to a
/// client whose id is its thing name, so what it cannot enforce as AWS does is refused rather than approximated:
/// Deny, NotAction/NotResource, conditions other than <c>iot:Connection.Thing.IsAttached</c> (every local client
/// plays an attached thing), wildcard actions, wildcard subscribe or receive resources, a resource that is only
/// <c>*</c>, other policy variables, and actions other than Connect/Publish/Subscribe/Receive. The broker does
/// not check <c>iot:Receive</c> on delivery, so the policy must allow receiving on every filter it lets a device
/// subscribe to (then AWS and the broker deliver the same messages).
/// </para>
/// </summary>
public static partial class TemplateDevicePolicy
{
    public const string ThingNameVariable = "${iot:Connection.Thing.ThingName}";

    private const string CannotEnforce = "the local broker cannot enforce it";

    /// <summary>The device policy, or null when the template has no <c>AWS::IoT::Policy</c> using the thing name.</summary>
    public static DevicePolicy? Read(StackModel model)
    {
        var devicePolicies = model.IoTPolicies.Where(p => UsesThingName(p.Properties)).ToList();
        if (devicePolicies.Count == 0)
        {
            return null;
        }

        var grants = new Grants([.. devicePolicies.Select(p => p.LogicalId)]);
        foreach (var policy in devicePolicies)
        {
            ReadPolicy(policy, model.Stack, grants);
        }

        grants.CheckConsistency();
        if (grants.Problems.Count > 0)
        {
            throw new TemplateException(string.Join(Environment.NewLine, grants.Problems));
        }

        return new DevicePolicy([.. grants.Publish.Keys], [.. grants.Subscribe.Keys]);
    }

    private static bool UsesThingName(JsonNode? node) => node switch
    {
        JsonObject obj => obj.Any(p => UsesThingName(p.Value)),
        JsonArray list => list.Any(UsesThingName),
        JsonValue value => value.TryGetValue(out string? s) && s.Contains(ThingNameVariable, StringComparison.Ordinal),
        _ => false,
    };

    private static void ReadPolicy(ResolvedResource policy, StackContext stack, Grants grants)
    {
        var path = TemplatePath.Resource(policy.LogicalId).Child("Properties").Child("PolicyDocument");
        var document = policy.Properties["PolicyDocument"] switch
        {
            JsonObject obj => obj,
            JsonValue text when text.TryGetValue(out string? json) => ParseObject(json),
            _ => null,
        };
        if (document is null)
        {
            grants.Problems.Add(path.Fail("the policy has no PolicyDocument object").Message);
            return;
        }

        switch (document["Statement"])
        {
            case JsonObject single:
                ReadStatement(single, path.Child("Statement"), stack, grants);
                break;
            case JsonArray list:
                for (var i = 0; i < list.Count; i++)
                {
                    if (list[i] is JsonObject statement)
                    {
                        ReadStatement(statement, path.Child("Statement").Index(i), stack, grants);
                    }
                    else
                    {
                        grants.Problems.Add(path.Child("Statement").Index(i).Fail("a statement must be an object").Message);
                    }
                }

                break;
            default:
                grants.Problems.Add(path.Child("Statement").Fail("the policy document has no Statement").Message);
                break;
        }
    }

    private static JsonObject? ParseObject(string json)
    {
        try
        {
            return JsonNode.Parse(json) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void ReadStatement(JsonObject statement, TemplatePath path, StackContext stack, Grants grants)
    {
        var before = grants.Problems.Count;
        foreach (var negated in new[] { "NotAction", "NotResource", "NotPrincipal" })
        {
            if (statement.ContainsKey(negated))
            {
                grants.Problems.Add(path.Child(negated).Fail($"{negated} grants everything but a list and {CannotEnforce}; list what is allowed in {negated[3..]}").Message);
            }
        }

        var effect = statement["Effect"]?.ToString();
        if (effect != "Allow")
        {
            grants.Problems.Add(path.Child("Effect").Fail(effect == "Deny"
                ? $"Deny statements are not supported: {CannotEnforce} (it only grants exact topics); remove the grant instead of denying it"
                : $"expected Allow, got '{effect ?? "nothing"}'").Message);
        }

        if (statement["Condition"] is { } condition && !IsAttachedCondition(condition))
        {
            grants.Problems.Add(path.Child("Condition").Fail(
                $"only the condition {{\"Bool\": {{\"iot:Connection.Thing.IsAttached\": \"true\"}}}} is supported (every local client plays an attached thing); {CannotEnforce}").Message);
        }

        var actions = Strings(statement["Action"], path.Child("Action"), grants);
        var resources = Strings(statement["Resource"], path.Child("Resource"), grants);
        if (grants.Problems.Count > before)
        {
            return;
        }

        foreach (var (action, actionPath) in actions)
        {
            var kind = ActionKind(action);
            if (kind is null)
            {
                grants.Problems.Add(actionPath.Fail(action.Contains('*', StringComparison.Ordinal) || action.Contains('?', StringComparison.Ordinal)
                    ? $"the wildcard action '{action}' grants more than the local broker knows and {CannotEnforce}; list iot:Connect, iot:Publish, iot:Subscribe or iot:Receive"
                    : $"the action '{action}' is not emulated by the local broker and {CannotEnforce}; it supports iot:Connect, iot:Publish, iot:Subscribe and iot:Receive").Message);
                continue;
            }

            foreach (var (resource, resourcePath) in resources)
            {
                grants.Add(kind, Resource(resource, kind, resourcePath, stack, grants.Problems), resourcePath);
            }
        }
    }

    private static bool IsAttachedCondition(JsonNode condition) =>
        condition is JsonObject { Count: 1 } outer
        && outer["Bool"] is JsonObject { Count: 1 } inner
        && inner["iot:Connection.Thing.IsAttached"] is { } value
        && (value is JsonArray { Count: 1 } list ? list[0] : value)?.ToString() == "true";

    private static List<(string Value, TemplatePath Path)> Strings(JsonNode? node, TemplatePath path, Grants grants)
    {
        var list = new List<(string, TemplatePath)>();
        switch (node)
        {
            case JsonValue value when value.TryGetValue(out string? s):
                list.Add((s, path));
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue item && item.TryGetValue(out string? s))
                    {
                        list.Add((s, path.Index(i)));
                    }
                    else
                    {
                        grants.Problems.Add(path.Index(i).Fail("expected a string").Message);
                    }
                }

                break;
            default:
                grants.Problems.Add(path.Fail("expected a string or a list of strings").Message);
                break;
        }

        return list;
    }

    // Policy actions are case-insensitive, as in IAM.
    private static string? ActionKind(string action) => action.ToLowerInvariant() switch
    {
        "iot:connect" => "client",
        "iot:publish" => "topic",
        "iot:receive" => "receive",
        "iot:subscribe" => "topicfilter",
        _ => null,
    };

    /// <summary>The resource as the broker compares it (<c>{thingName}</c> for the variable), or null with a problem.</summary>
    private static string? Resource(string arn, string kind, TemplatePath path, StackContext stack, List<string> problems)
    {
        var match = IotArn().Match(arn);
        if (!match.Success)
        {
            problems.Add(path.Fail(arn == "*"
                ? $"the resource '*' grants every topic and {CannotEnforce}; name the topics"
                : $"'{arn}' is not an IoT resource ARN (arn:<partition>:iot:<region>:<account>:client|topic|topicfilter/...)").Message);
            return null;
        }

        var (partition, region, account, type, name) = (match.Groups[1].Value, match.Groups[2].Value, match.Groups[3].Value, match.Groups[4].Value, match.Groups[5].Value);
        var expected = kind == "receive" ? "topic" : kind;
        if (type != expected)
        {
            problems.Add(path.Fail($"this statement's action applies to '{expected}/...' resources, not '{type}/...'").Message);
            return null;
        }

        // A '*' region or account still means this one; a different one never matches in AWS, so it is a mistake here.
        if (partition != stack.Partition || (region != stack.Region && region != "*") || (account != stack.AccountId && account != "*"))
        {
            problems.Add(path.Fail($"'{arn}' names another partition, region or account than the stack's ({stack.Partition}, {stack.Region}, {stack.AccountId})").Message);
            return null;
        }

        var local = name.Replace(ThingNameVariable, DevicePolicy.ThingNamePlaceholder, StringComparison.Ordinal);
        // A publish grant is matched with the policy wildcards (DevicePolicy.WildcardMatch); subscribe and receive
        // grants are compared exactly, because the broker does not check iot:Receive per delivered topic.
        if (kind != "topic" && (local.Contains('*', StringComparison.Ordinal) || local.Contains('?', StringComparison.Ordinal)))
        {
            problems.Add(path.Fail($"the wildcard in '{name}' cannot be expressed: the local broker compares topics exactly, so {CannotEnforce}").Message);
            return null;
        }

        if (local.Contains("${", StringComparison.Ordinal))
        {
            problems.Add(path.Fail($"'{name}' uses a policy variable other than {ThingNameVariable} and {CannotEnforce}").Message);
            return null;
        }

        if (kind == "client" && local != DevicePolicy.ThingNamePlaceholder)
        {
            problems.Add(path.Fail($"the local broker lets a device connect only with its thing name as client id (client/{ThingNameVariable}), so {CannotEnforce}").Message);
            return null;
        }

        return local;
    }

    [GeneratedRegex("^arn:([^:]+):iot:([^:]*):([^:]*):(client|topic|topicfilter)/(.+)$")]
    private static partial Regex IotArn();

    /// <summary>What the device policies allow so far, each grant with where it was written.</summary>
    private sealed class Grants(IReadOnlyList<string> policies)
    {
        public List<string> Problems { get; } = [];
        public List<TemplatePath> Connect { get; } = [];
        public Dictionary<string, TemplatePath> Publish { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, TemplatePath> Subscribe { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, TemplatePath> Receive { get; } = new(StringComparer.Ordinal);

        public void Add(string kind, string? resource, TemplatePath path)
        {
            if (resource is null)
            {
                return;
            }

            switch (kind)
            {
                case "client":
                    Connect.Add(path);
                    break;
                case "topic":
                    Publish.TryAdd(resource, path);
                    break;
                case "topicfilter":
                    Subscribe.TryAdd(resource, path);
                    break;
                case "receive":
                    Receive.TryAdd(resource, path);
                    break;
            }
        }

        public void CheckConsistency()
        {
            if (Problems.Count > 0)
            {
                return;
            }

            // The broker does not check iot:Receive when it delivers, so each filter a device may subscribe to must
            // be receivable as a topic, or the broker would deliver what AWS drops.
            foreach (var (filter, path) in Subscribe)
            {
                if (filter.Contains('+', StringComparison.Ordinal) || filter.Contains('#', StringComparison.Ordinal))
                {
                    Problems.Add(path.Fail($"the filter '{filter}' has MQTT wildcards, while iot:Receive is checked per topic, which the local broker does not do, so {CannotEnforce}; grant exact filters").Message);
                }
                else if (!Receive.ContainsKey(filter))
                {
                    Problems.Add(path.Fail($"devices may subscribe to '{filter}' but no iot:Receive statement allows the topic '{filter}': AWS would deliver nothing there while the local broker, which does not check iot:Receive, would").Message);
                }
            }

            if (Connect.Count == 0)
            {
                var others = policies.Count > 1 ? $" (nor does {string.Join(", ", policies.Skip(1))})" : string.Empty;
                Problems.Add(TemplatePath.Resource(policies[0]).Child("Properties").Child("PolicyDocument").Child("Statement")
                    .Fail($"no statement allows iot:Connect on client/{ThingNameVariable}{others}: no device could connect").Message);
            }
        }
    }
}
