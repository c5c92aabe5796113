using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Queueing.Emulators.Template;

/// <summary>
/// What <c>Ref</c> and <c>Fn::GetAtt</c> return for each resource type locally: the physical names, URLs and
/// ARNs CloudFormation would produce, built on the local account, region and endpoints. Includes the resources
/// SAM generates implicitly (a function's <c>{Function}Role</c>, <c>ServerlessHttpApi</c>).
/// </summary>
internal sealed class LocalResourceValues
{
    private readonly TemplateDocument _template;
    private readonly StackContext _stack;
    private readonly IntrinsicResolver _resolver;
    private readonly TemplateConditions _conditions;
    private readonly Dictionary<string, string> _implicitTypes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly HashSet<string> _naming = new(StringComparer.Ordinal);

    internal LocalResourceValues(TemplateDocument template, StackContext stack, IntrinsicResolver resolver, TemplateConditions conditions)
    {
        _template = template;
        _stack = stack;
        _resolver = resolver;
        _conditions = conditions;
        AddSamImplicitResources();
    }

    /// <summary>The resource's type, or null when neither the template nor SAM defines it.</summary>
    public string? TypeOf(string logicalId) =>
        _template.ResourceType(logicalId) ?? _implicitTypes.GetValueOrDefault(logicalId);

    /// <summary>False when the resource has a <c>Condition</c> that evaluates to false (it is not created).</summary>
    public bool IsCreated(string logicalId)
    {
        if (_template.Resources[logicalId] is JsonObject resource && resource["Condition"] is JsonValue condition
            && condition.TryGetValue(out string? name))
        {
            return _conditions.IsTrue(name, TemplatePath.Resource(logicalId).Child("Condition"));
        }

        return true;
    }

    public JsonNode Ref(string logicalId, TemplatePath from)
    {
        var type = Require(logicalId, from);
        return type switch
        {
            "AWS::SQS::Queue" => JsonValue.Create(QueueUrl(Name(logicalId, type, from))),
            "AWS::SNS::Topic" => JsonValue.Create(_stack.Arn("sns", Name(logicalId, type, from))),
            "AWS::Serverless::HttpApi" or "AWS::ApiGatewayV2::Api" => JsonValue.Create(ApiId(logicalId)),
            "AWS::IAM::ManagedPolicy" => JsonValue.Create(_stack.Arn("iam", "policy/" + Name(logicalId, type, from), regional: false)),
            _ when NameProperty(type) is not null => JsonValue.Create(Name(logicalId, type, from)),
            // Resources whose Ref is an opaque generated id locally (nothing reads it but CloudFormation itself).
            "AWS::SQS::QueuePolicy" or "AWS::IAM::Policy" or "AWS::Lambda::Permission" or "AWS::Lambda::EventSourceMapping"
                or "AWS::IoT::PolicyPrincipalAttachment" => JsonValue.Create($"{_stack.StackName}-{logicalId}"),
            _ => throw from.Fail($"Ref to '{logicalId}' of type {type}: the local stack has no local value for this resource type"),
        };
    }

    public JsonNode GetAtt(string logicalId, string attribute, TemplatePath from)
    {
        var type = Require(logicalId, from);
        var value = (type, attribute) switch
        {
            ("AWS::SQS::Queue", "Arn") => _stack.Arn("sqs", Name(logicalId, type, from)),
            ("AWS::SQS::Queue", "QueueName") => Name(logicalId, type, from),
            ("AWS::SQS::Queue", "QueueUrl") => QueueUrl(Name(logicalId, type, from)),
            ("AWS::Serverless::Function" or "AWS::Lambda::Function", "Arn") => _stack.Arn("lambda", "function:" + Name(logicalId, type, from)),
            ("AWS::IAM::Role", "Arn") => _stack.Arn("iam", "role/" + Name(logicalId, type, from), regional: false),
            ("AWS::IAM::Role", "RoleId") => "AROA" + Hash(logicalId, 17).ToUpperInvariant(),
            ("AWS::IAM::ManagedPolicy", "PolicyArn") => _stack.Arn("iam", "policy/" + Name(logicalId, type, from), regional: false),
            ("AWS::IoT::TopicRule", "Arn") => _stack.Arn("iot", "rule/" + Name(logicalId, type, from)),
            ("AWS::IoT::Policy", "Arn") => _stack.Arn("iot", "policy/" + Name(logicalId, type, from)),
            ("AWS::IoT::Policy", "Id") => Name(logicalId, type, from),
            ("AWS::CloudWatch::Alarm", "Arn") => _stack.Arn("cloudwatch", "alarm:" + Name(logicalId, type, from)),
            ("AWS::SNS::Topic", "TopicArn") => _stack.Arn("sns", Name(logicalId, type, from)),
            ("AWS::SNS::Topic", "TopicName") => Name(logicalId, type, from),
            ("AWS::Logs::LogGroup", "Arn") => _stack.Arn("logs", $"log-group:{Name(logicalId, type, from)}:*"),
            ("AWS::SSM::Parameter", "Type") => _resolver.ResolveString(_template.ResourceProperties(logicalId)?["Type"], TemplatePath.Resource(logicalId).Child("Properties").Child("Type")),
            ("AWS::Serverless::HttpApi" or "AWS::ApiGatewayV2::Api", "ApiId") => ApiId(logicalId),
            ("AWS::Serverless::HttpApi" or "AWS::ApiGatewayV2::Api", "ApiEndpoint") => ApiEndpoint(logicalId),
            _ => throw from.Fail($"Fn::GetAtt {logicalId}.{attribute}: the local stack does not provide attribute '{attribute}' of {type}"),
        };
        return JsonValue.Create(value);
    }

    /// <summary>The physical name: the template's name property if set, else the name CloudFormation would generate.</summary>
    public string Name(string logicalId, string type, TemplatePath from)
    {
        if (_names.TryGetValue(logicalId, out var known))
        {
            return known;
        }

        if (!_naming.Add(logicalId))
        {
            throw from.Fail($"the name of '{logicalId}' depends on itself");
        }

        try
        {
            var property = NameProperty(type);
            var properties = _template.ResourceProperties(logicalId);
            var name = property is not null && properties?[property] is { } declared
                ? _resolver.ResolveString(declared, TemplatePath.Resource(logicalId).Child("Properties").Child(property))
                : GeneratedName(logicalId, type, properties);
            _names[logicalId] = name;
            return name;
        }
        finally
        {
            _naming.Remove(logicalId);
        }
    }

    public string QueueUrl(string queueName) => $"{_stack.SqsEndpoint.ToString().TrimEnd('/')}/{_stack.AccountId}/{queueName}";

    private string GeneratedName(string logicalId, string type, JsonObject? properties)
    {
        switch (type)
        {
            case "AWS::SQS::Queue":
                var fifo = properties?["FifoQueue"] is { } flag
                    && _resolver.ResolveString(flag, TemplatePath.Resource(logicalId).Child("Properties").Child("FifoQueue")) == "true";
                // CloudFormation appends .fifo to a generated FIFO queue name; the whole name is at most 80 characters.
                return fifo ? Truncate($"{_stack.StackName}-{logicalId}", 75) + ".fifo" : Truncate($"{_stack.StackName}-{logicalId}", 80);
            case "AWS::IoT::TopicRule":
                // Rule names allow only letters, digits and underscores.
                var rule = new StringBuilder();
                foreach (var c in $"{_stack.StackName}_{logicalId}")
                {
                    rule.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
                }

                return Truncate(rule.ToString(), 128);
            case "AWS::Serverless::Function" or "AWS::Lambda::Function" or "AWS::IAM::Role":
                return Truncate($"{_stack.StackName}-{logicalId}", 64);
            default:
                return Truncate($"{_stack.StackName}-{logicalId}", 128);
        }
    }

    private static string? NameProperty(string type) => type switch
    {
        "AWS::SQS::Queue" => "QueueName",
        "AWS::Serverless::Function" or "AWS::Lambda::Function" => "FunctionName",
        "AWS::IAM::Role" => "RoleName",
        "AWS::IAM::ManagedPolicy" => "ManagedPolicyName",
        "AWS::IoT::TopicRule" => "RuleName",
        "AWS::IoT::Policy" => "PolicyName",
        "AWS::CloudWatch::Alarm" => "AlarmName",
        "AWS::SNS::Topic" => "TopicName",
        "AWS::Logs::LogGroup" => "LogGroupName",
        "AWS::SSM::Parameter" => "Name",
        _ => null,
    };

    private string Require(string logicalId, TemplatePath from)
    {
        var type = TypeOf(logicalId)
            ?? throw from.Fail($"'{logicalId}' is neither a parameter nor a resource of the template");
        if (!IsCreated(logicalId))
        {
            throw from.Fail($"'{logicalId}' is not created: its Condition is false");
        }

        return type;
    }

    private string ApiId(string logicalId) => Hash(logicalId, 10);

    private string ApiEndpoint(string logicalId) =>
        _stack.HttpApiEndpoint?.ToString().TrimEnd('/') ?? $"https://{ApiId(logicalId)}.execute-api.{_stack.Region}.{_stack.UrlSuffix}";

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];

    private static string Hash(string value, int length) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..length];

    private void AddSamImplicitResources()
    {
        foreach (var (logicalId, node) in _template.Resources)
        {
            if (node is not JsonObject resource || resource["Type"]?.ToString() != "AWS::Serverless::Function")
            {
                continue;
            }

            var properties = resource["Properties"] as JsonObject;
            if (properties?["Role"] is null)
            {
                _implicitTypes.TryAdd(logicalId + "Role", "AWS::IAM::Role");
            }

            foreach (var (_, eventNode) in properties?["Events"] as JsonObject ?? [])
            {
                if (eventNode?["Type"]?.ToString() == "HttpApi" && eventNode["Properties"]?["ApiId"] is null
                    && _template.ResourceType("ServerlessHttpApi") is null)
                {
                    _implicitTypes.TryAdd("ServerlessHttpApi", "AWS::Serverless::HttpApi");
                }
            }
        }
    }
}
