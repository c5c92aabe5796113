using System.Globalization;
using System.Text.Json.Nodes;

namespace Queueing.Emulators.Template;

/// <summary>
/// The template resolved for the local stack: its functions, queues, topic rules, IoT policies and HTTP APIs with every
/// intrinsic evaluated against local values. Building it reports every problem together.
/// </summary>
public sealed class StackModel
{
    private StackModel(TemplateDocument template, StackContext stack)
    {
        Template = template;
        Stack = stack;
    }

    public TemplateDocument Template { get; }
    public StackContext Stack { get; }
    public IReadOnlyDictionary<string, FunctionDefinition> Functions { get; private set; } = new Dictionary<string, FunctionDefinition>();
    public IReadOnlyDictionary<string, QueueDefinition> Queues { get; private set; } = new Dictionary<string, QueueDefinition>();
    public IReadOnlyList<ResolvedResource> TopicRules { get; private set; } = [];
    public IReadOnlyList<ResolvedResource> IoTPolicies { get; private set; } = [];
    public IReadOnlyList<ResolvedResource> HttpApis { get; private set; } = [];

    /// <summary>Parameters that took a value from the local defaults (no Default in the template, no override).</summary>
    public IReadOnlyList<string> LocalDefaultsUsed { get; private set; } = [];

    /// <summary>Every parameter's value (override, Default or local default), as CloudFormation passes it to Ref.</summary>
    public TemplateParameters Parameters { get; private set; } = null!;

    public static StackModel Load(
        TemplateDocument template,
        StackContext stack,
        IReadOnlyDictionary<string, string> parameterOverrides,
        IReadOnlyDictionary<string, string>? localDefaults = null)
    {
        var parameters = TemplateParameters.Resolve(template, parameterOverrides, localDefaults);
        var resolver = new IntrinsicResolver(template, parameters, stack);
        var model = new StackModel(template, stack);
        var problems = new List<string>();
        var functions = new Dictionary<string, FunctionDefinition>(StringComparer.Ordinal);
        var queues = new Dictionary<string, QueueDefinition>(StringComparer.Ordinal);
        var rules = new List<ResolvedResource>();
        var policies = new List<ResolvedResource>();
        var apis = new List<ResolvedResource>();

        foreach (var (logicalId, node) in template.Resources)
        {
            var path = TemplatePath.Resource(logicalId);
            try
            {
                var type = template.ResourceType(logicalId) ?? throw path.Fail("the resource has no Type");
                if (!resolver.Resources.IsCreated(logicalId))
                {
                    continue;
                }

                var raw = template.ResourceProperties(logicalId);
                switch (type)
                {
                    case "AWS::Serverless::Function":
                        functions[logicalId] = FunctionReader.Read(logicalId, SamGlobals.Apply(template.Globals["Function"] as JsonObject, raw), resolver, template);
                        break;
                    case "AWS::Lambda::Function":
                        throw path.Fail("AWS::Lambda::Function is not emulated by the local stack; declare functions as AWS::Serverless::Function");
                    case "AWS::SQS::Queue":
                        queues[logicalId] = QueueReader.Read(logicalId, raw, resolver);
                        break;
                    case "AWS::IoT::TopicRule":
                        rules.Add(new ResolvedResource(logicalId, type, ResolveProperties(raw, resolver, path)));
                        break;
                    case "AWS::IoT::Policy":
                        policies.Add(new ResolvedResource(logicalId, type, ResolveProperties(raw, resolver, path)));
                        break;
                    case "AWS::Serverless::HttpApi":
                        apis.Add(new ResolvedResource(logicalId, type, ResolveProperties(SamGlobals.Apply(template.Globals["HttpApi"] as JsonObject, raw), resolver, path)));
                        break;
                }
            }
            catch (TemplateException ex)
            {
                problems.Add(ex.Message);
            }
        }

        if (problems.Count > 0)
        {
            throw new TemplateException(string.Join(Environment.NewLine, problems));
        }

        model.LocalDefaultsUsed = parameters.LocalDefaultsUsed;
        model.Parameters = parameters;
        model.Functions = functions;
        model.Queues = queues;
        model.TopicRules = rules;
        model.IoTPolicies = policies;
        model.HttpApis = apis;
        return model;
    }

    /// <summary>The queue whose ARN or URL this is, or null.</summary>
    public QueueDefinition? QueueByArnOrUrl(string arnOrUrl) =>
        Queues.Values.FirstOrDefault(q => q.Arn == arnOrUrl || q.Url == arnOrUrl);

    private static JsonObject ResolveProperties(JsonObject? raw, IntrinsicResolver resolver, TemplatePath path) =>
        resolver.Resolve(raw ?? [], path.Child("Properties")) as JsonObject ?? [];

    internal static int Int(JsonObject properties, string name, int fallback, TemplatePath path)
    {
        if (properties[name] is not { } node)
        {
            return fallback;
        }

        var text = IntrinsicResolver.AsString(node, path.Child(name), "an integer");
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw path.Child(name).Fail($"expected an integer, got '{text}'");
    }

    public static bool Bool(JsonObject properties, string name, bool fallback, TemplatePath path)
    {
        if (properties[name] is not { } node)
        {
            return fallback;
        }

        return IntrinsicResolver.AsString(node, path.Child(name), "a boolean").ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            var other => throw path.Child(name).Fail($"expected true or false, got '{other}'"),
        };
    }

    public static string? String(JsonObject properties, string name, TemplatePath path) =>
        properties[name] is { } node ? IntrinsicResolver.AsString(node, path.Child(name), "a string") : null;

    private static class FunctionReader
    {
        public static FunctionDefinition Read(string logicalId, JsonObject merged, IntrinsicResolver resolver, TemplateDocument template)
        {
            var path = TemplatePath.Resource(logicalId).Child("Properties");
            var properties = resolver.Resolve(merged, path) as JsonObject ?? [];
            if (String(properties, "PackageType", path) is "Image")
            {
                throw path.Child("PackageType").Fail("container image functions are not supported by the local stack");
            }

            if (properties["Layers"] is JsonArray { Count: > 0 })
            {
                throw path.Child("Layers").Fail("layers are not supported by the local stack");
            }

            var codeUri = properties["CodeUri"] switch
            {
                null => null,
                JsonValue value => Path.GetFullPath(Path.Combine(template.Directory, value.ToString())),
                _ => throw path.Child("CodeUri").Fail("an S3 CodeUri cannot be built locally; use a folder path"),
            };

            var name = resolver.Resources.Name(logicalId, "AWS::Serverless::Function", path);
            var events = Events(properties, path);
            return new FunctionDefinition
            {
                LogicalId = logicalId,
                FunctionName = name,
                Arn = resolver.Resources.GetAtt(logicalId, "Arn", path).ToString(),
                Handler = String(properties, "Handler", path) ?? throw path.Child("Handler").Fail("the function has no Handler"),
                Runtime = String(properties, "Runtime", path),
                CodeUri = codeUri,
                TimeoutSeconds = Int(properties, "Timeout", FunctionDefinition.DefaultTimeoutSeconds, path),
                MemorySize = Int(properties, "MemorySize", FunctionDefinition.DefaultMemorySize, path),
                Environment = Environment(properties, path),
                Events = events,
                SqsEvents = [.. events.Where(e => e.Type == "SQS").Select(e => Sqs(e, path))],
                HttpApiEvents = [.. events.Where(e => e.Type == "HttpApi").Select(e => HttpApi(e, merged, path))],
            };
        }

        private static Dictionary<string, string> Environment(JsonObject properties, TemplatePath path)
        {
            var variables = new Dictionary<string, string>(StringComparer.Ordinal);
            var at = path.Child("Environment").Child("Variables");
            foreach (var (name, value) in properties["Environment"]?["Variables"] as JsonObject ?? [])
            {
                variables[name] = IntrinsicResolver.AsString(value, at.Child(name), "a string (environment variables are strings)");
            }

            return variables;
        }

        private static List<FunctionEvent> Events(JsonObject properties, TemplatePath path)
        {
            var events = new List<FunctionEvent>();
            foreach (var (name, node) in properties["Events"] as JsonObject ?? [])
            {
                var at = path.Child("Events").Child(name);
                var definition = node as JsonObject ?? throw at.Fail("an event must be an object");
                var type = String(definition, "Type", at) ?? throw at.Fail("the event has no Type");
                events.Add(new FunctionEvent(name, type, definition["Properties"] as JsonObject ?? []));
            }

            return events;
        }

        private static SqsEventSource Sqs(FunctionEvent e, TemplatePath path)
        {
            var at = path.Child("Events").Child(e.Name).Child("Properties");
            var p = e.Properties;
            var responseTypes = p["FunctionResponseTypes"] as JsonArray ?? [];
            return new SqsEventSource(
                e.Name,
                String(p, "Queue", at) ?? throw at.Child("Queue").Fail("an SQS event needs a Queue (ARN)"),
                Int(p, "BatchSize", 10, at),
                Int(p, "MaximumBatchingWindowInSeconds", 0, at),
                p["ScalingConfig"] is JsonObject scaling && scaling["MaximumConcurrency"] is not null
                    ? Int(scaling, "MaximumConcurrency", 0, at.Child("ScalingConfig"))
                    : null,
                responseTypes.Any(t => t?.ToString() == "ReportBatchItemFailures"),
                Bool(p, "Enabled", true, at));
        }

        private static HttpApiEventSource HttpApi(FunctionEvent e, JsonObject merged, TemplatePath path)
        {
            var at = path.Child("Events").Child(e.Name).Child("Properties");
            // The API is named by logical id: read the unresolved Ref, since the resolved value is the API's id.
            var rawApi = merged["Events"]?[e.Name]?["Properties"]?["ApiId"];
            var apiLogicalId = rawApi is JsonObject { Count: 1 } reference && reference["Ref"] is JsonValue target ? target.ToString()
                : rawApi is null ? "ServerlessHttpApi"
                : throw at.Child("ApiId").Fail("ApiId must be a Ref to an AWS::Serverless::HttpApi of the template");
            return new HttpApiEventSource(
                e.Name,
                apiLogicalId,
                // Without Path and Method SAM creates the API's $default route (whatever no other route matches).
                String(e.Properties, "Path", at) ?? HttpApiEventSource.DefaultRoute,
                (String(e.Properties, "Method", at) ?? "ANY").ToUpperInvariant(),
                String(e.Properties, "PayloadFormatVersion", at) ?? "2.0",
                e.Properties["TimeoutInMillis"] is null ? null : Int(e.Properties, "TimeoutInMillis", 30000, at));
        }
    }

    private static class QueueReader
    {
        // CloudFormation property -> SQS attribute of the same meaning (the names coincide for these).
        private static readonly string[] SimpleAttributes =
        [
            "ContentBasedDeduplication", "DeduplicationScope", "DelaySeconds", "FifoQueue", "FifoThroughputLimit",
            "KmsDataKeyReusePeriodSeconds", "KmsMasterKeyId", "MaximumMessageSize", "MessageRetentionPeriod",
            "ReceiveMessageWaitTimeSeconds", "SqsManagedSseEnabled", "VisibilityTimeout",
        ];

        public static QueueDefinition Read(string logicalId, JsonObject? raw, IntrinsicResolver resolver)
        {
            var path = TemplatePath.Resource(logicalId).Child("Properties");
            var properties = resolver.Resolve(raw ?? [], path) as JsonObject ?? [];
            var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
            string? redrive = null, redriveAllow = null, deadLetterArn = null;
            int? maxReceiveCount = null;
            var tags = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, value) in properties)
            {
                var at = path.Child(name);
                switch (name)
                {
                    case "QueueName":
                        break;
                    case var simple when SimpleAttributes.Contains(simple):
                        attributes[name] = IntrinsicResolver.AsString(value, at, "a string");
                        break;
                    case "RedrivePolicy":
                        (redrive, deadLetterArn, maxReceiveCount) = RedrivePolicy(value, at);
                        break;
                    case "RedriveAllowPolicy":
                        redriveAllow = value is JsonObject allow ? allow.ToJsonString() : IntrinsicResolver.AsString(value, at, "a JSON object");
                        break;
                    case "Tags":
                        foreach (var (tag, i) in (value as JsonArray ?? throw at.Fail("Tags must be a list")).Select((t, i) => (t, i)))
                        {
                            var tagPath = at.Index(i);
                            var tagObject = tag as JsonObject ?? throw tagPath.Fail("a tag must be {Key, Value}");
                            tags[String(tagObject, "Key", tagPath) ?? throw tagPath.Fail("a tag needs a Key")] = String(tagObject, "Value", tagPath) ?? string.Empty;
                        }

                        break;
                    default:
                        throw at.Fail($"queue property '{name}' is not supported by the local stack");
                }
            }

            return new QueueDefinition
            {
                LogicalId = logicalId,
                QueueName = resolver.Resources.Name(logicalId, "AWS::SQS::Queue", path),
                Url = resolver.Resources.Ref(logicalId, path).ToString(),
                Arn = resolver.Resources.GetAtt(logicalId, "Arn", path).ToString(),
                Attributes = attributes,
                RedrivePolicy = redrive,
                RedriveAllowPolicy = redriveAllow,
                DeadLetterTargetArn = deadLetterArn,
                MaxReceiveCount = maxReceiveCount,
                Tags = tags,
            };
        }

        private static (string Json, string Arn, int MaxReceiveCount) RedrivePolicy(JsonNode? value, TemplatePath at)
        {
            var policy = value switch
            {
                JsonObject obj => obj,
                JsonValue text => JsonNode.Parse(text.ToString()) as JsonObject,
                _ => null,
            } ?? throw at.Fail("RedrivePolicy must be an object {deadLetterTargetArn, maxReceiveCount}");
            var arn = String(policy, "deadLetterTargetArn", at) ?? throw at.Child("deadLetterTargetArn").Fail("the redrive policy needs a deadLetterTargetArn");
            var max = Int(policy, "maxReceiveCount", 0, at);
            if (max < 1)
            {
                throw at.Child("maxReceiveCount").Fail("the redrive policy needs a maxReceiveCount of at least 1");
            }

            // SQS takes the policy as JSON text; a Ref to a Number parameter arrives as a string, so write it as a number.
            var json = new JsonObject { ["deadLetterTargetArn"] = arn, ["maxReceiveCount"] = max }.ToJsonString();
            return (json, arn, max);
        }
    }
}
