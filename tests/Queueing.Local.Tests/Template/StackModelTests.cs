using Queueing.Emulators.Template;
using static Queueing.Local.Tests.Support.Templates;

namespace Queueing.Local.Tests.Template;

public sealed class StackModelTests
{
    private const string Pipeline = """
        {
          "Transform": "AWS::Serverless-2016-10-31",
          "Parameters": {
            "MaxReceiveCount": { "Type": "Number", "Default": 5 },
            "LogLevel": { "Type": "String", "Default": "Information" }
          },
          "Globals": {
            "Function": {
              "Runtime": "provided.al2023",
              "Timeout": 30,
              "MemorySize": 512,
              "Environment": { "Variables": { "LOG_LEVEL": { "Ref": "LogLevel" }, "SHARED": "global" } }
            }
          },
          "Resources": {
            "IngestDLQ": { "Type": "AWS::SQS::Queue", "Properties": { "MessageRetentionPeriod": 1209600 } },
            "IngestQueue": {
              "Type": "AWS::SQS::Queue",
              "Properties": {
                "VisibilityTimeout": 180,
                "RedrivePolicy": { "deadLetterTargetArn": { "Fn::GetAtt": ["IngestDLQ", "Arn"] }, "maxReceiveCount": { "Ref": "MaxReceiveCount" } },
                "Tags": [{ "Key": "app", "Value": "queueing" }]
              }
            },
            "CommandQueue": {
              "Type": "AWS::SQS::Queue",
              "Properties": { "QueueName": { "Fn::Sub": "${AWS::StackName}-commands.fifo" }, "FifoQueue": true, "ContentBasedDeduplication": false }
            },
            "CommandApi": { "Type": "AWS::Serverless::HttpApi", "Properties": { "StageName": "$default" } },
            "IngestFunction": {
              "Type": "AWS::Serverless::Function",
              "Properties": {
                "Handler": "ingest",
                "CodeUri": "src/Ingest",
                "Timeout": 25,
                "Environment": { "Variables": { "DEAD_LETTER_QUEUE_URL": { "Ref": "IngestDLQ" }, "SHARED": "local" } },
                "Events": {
                  "Telemetry": {
                    "Type": "SQS",
                    "Properties": {
                      "Queue": { "Fn::GetAtt": ["IngestQueue", "Arn"] },
                      "BatchSize": 50,
                      "MaximumBatchingWindowInSeconds": 2,
                      "FunctionResponseTypes": ["ReportBatchItemFailures"],
                      "ScalingConfig": { "MaximumConcurrency": 4 }
                    }
                  }
                }
              }
            },
            "CommandApiFunction": {
              "Type": "AWS::Serverless::Function",
              "Properties": {
                "Handler": "command-api",
                "Events": { "Post": { "Type": "HttpApi", "Properties": { "ApiId": { "Ref": "CommandApi" }, "Path": "/commands", "Method": "post" } } }
              }
            }
          }
        }
        """;

    [Fact]
    public void Load_Globals_MergeIntoFunctionsWithResourceWinning()
    {
        var ingest = Load(Pipeline).Functions["IngestFunction"];

        Assert.Equal(25, ingest.TimeoutSeconds);
        Assert.Equal(512, ingest.MemorySize);
        Assert.Equal("provided.al2023", ingest.Runtime);
        Assert.Equal("Information", ingest.Environment["LOG_LEVEL"]);
        Assert.Equal("local", ingest.Environment["SHARED"]);
        Assert.Equal("http://127.0.0.1:5000/123456789012/teststack-IngestDLQ", ingest.Environment["DEAD_LETTER_QUEUE_URL"]);
    }

    [Fact]
    public void Load_FunctionWithoutTimeoutOrMemory_GetsLambdaDefaults()
    {
        var model = Load(WithValue("\"x\""));

        Assert.Equal(FunctionDefinition.DefaultTimeoutSeconds, model.Functions["Fn"].TimeoutSeconds);
        Assert.Equal(FunctionDefinition.DefaultMemorySize, model.Functions["Fn"].MemorySize);
    }

    [Fact]
    public void Load_SqsEvent_ReadsBatchingScalingAndBatchItemFailures()
    {
        var sqs = Assert.Single(Load(Pipeline).Functions["IngestFunction"].SqsEvents);

        Assert.Equal("arn:aws:sqs:eu-west-1:123456789012:teststack-IngestQueue", sqs.QueueArn);
        Assert.Equal(50, sqs.BatchSize);
        Assert.Equal(2, sqs.MaximumBatchingWindowInSeconds);
        Assert.Equal(4, sqs.MaximumConcurrency);
        Assert.True(sqs.ReportBatchItemFailures);
        Assert.True(sqs.Enabled);
    }

    [Fact]
    public void Load_HttpApiEvent_NamesApiByLogicalId()
    {
        var route = Assert.Single(Load(Pipeline).Functions["CommandApiFunction"].HttpApiEvents);

        Assert.Equal("CommandApi", route.ApiLogicalId);
        Assert.Equal("/commands", route.Path);
        Assert.Equal("POST", route.Method);
        Assert.Equal("2.0", route.PayloadFormatVersion);
    }

    [Fact]
    public void Load_CodeUri_IsAbsoluteUnderTheTemplateFolder()
    {
        var ingest = Load(Pipeline).Functions["IngestFunction"];

        Assert.True(Path.IsPathRooted(ingest.CodeUri));
        Assert.EndsWith(Path.Combine("src", "Ingest"), ingest.CodeUri, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_QueueRedrivePolicy_ResolvesToDlqArnAndNumericMaxReceiveCount()
    {
        var queue = Load(Pipeline).Queues["IngestQueue"];

        Assert.Equal("arn:aws:sqs:eu-west-1:123456789012:teststack-IngestDLQ", queue.DeadLetterTargetArn);
        Assert.Equal(5, queue.MaxReceiveCount);
        Assert.Equal("""{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:123456789012:teststack-IngestDLQ","maxReceiveCount":5}""", queue.RedrivePolicy);
        Assert.Equal("180", queue.Attributes["VisibilityTimeout"]);
        Assert.False(queue.Attributes.ContainsKey("RedrivePolicy"));
        Assert.Equal("queueing", queue.Tags["app"]);
    }

    [Fact]
    public void Load_FifoQueue_KeepsFifoAttributesAndName()
    {
        var queue = Load(Pipeline).Queues["CommandQueue"];

        Assert.True(queue.Fifo);
        Assert.Equal("teststack-commands.fifo", queue.QueueName);
        Assert.Equal("true", queue.Attributes["FifoQueue"]);
        Assert.Equal("false", queue.Attributes["ContentBasedDeduplication"]);
        Assert.Equal("http://127.0.0.1:5000/123456789012/teststack-commands.fifo", queue.Url);
    }

    [Fact]
    public void Load_HttpApi_IsResolvedAsEmulatedResource() =>
        Assert.Equal("CommandApi", Assert.Single(Load(Pipeline).HttpApis).LogicalId);

    [Fact]
    public void Load_StackContext_ChangesEveryLocalValue()
    {
        var model = Load(Pipeline, stack: Stack with { StackName = "other", Region = "us-east-1", SqsEndpoint = new Uri("http://127.0.0.1:6000") });

        Assert.Equal("http://127.0.0.1:6000/123456789012/other-IngestDLQ", model.Functions["IngestFunction"].Environment["DEAD_LETTER_QUEUE_URL"]);
        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:other-IngestFunction", model.Functions["IngestFunction"].Arn);
    }

    [Fact]
    public void Load_ParameterOverrideForUnknownParameter_IsRefused()
    {
        var error = Assert.Throws<TemplateException>(() => Load(Pipeline, new Dictionary<string, string> { ["Nope"] = "1" }));

        Assert.Contains("'Nope', which is not a parameter of the template", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ParameterWithoutDefaultOrOverride_IsRefusedNamingIt()
    {
        var error = Assert.Throws<TemplateException>(() => Load(WithValue("\"x\"", parameters: """{ "WaylayDataUrl": { "Type": "String" } }""")));

        Assert.Contains("Parameter 'WaylayDataUrl': the parameter has no Default; pass a value with --parameter-overrides WaylayDataUrl=VALUE", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("LogLevel", "Verbose", "is not one of the AllowedValues")]
    [InlineData("Count", "abc", "is not a Number")]
    [InlineData("Count", "0", "is below MinValue 1")]
    [InlineData("Url", "ftp://x", "does not match the AllowedPattern")]
    public void Load_OverrideViolatingConstraint_IsRefused(string name, string value, string problem)
    {
        const string parameters = """
            {
              "LogLevel": { "Type": "String", "Default": "Information", "AllowedValues": ["Debug", "Information"] },
              "Count": { "Type": "Number", "Default": 1, "MinValue": 1 },
              "Url": { "Type": "String", "Default": "https://api.waylay.io", "AllowedPattern": "https?://.+" }
            }
            """;

        var error = Assert.Throws<TemplateException>(() => Load(WithValue("\"x\"", parameters: parameters), new Dictionary<string, string> { [name] = value }));

        Assert.Contains($"Parameter '{name}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SsmTypedParameterWithoutOverride_IsRefusedWithHint()
    {
        var error = Assert.Throws<TemplateException>(() => Load(WithValue("\"x\"", parameters: """{ "Ami": { "Type": "AWS::SSM::Parameter::Value<String>", "Default": "/x" } }""")));

        Assert.Contains("--parameter-overrides Ami=VALUE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ResourceWithFalseCondition_IsNotCreatedAndRefIsRefused()
    {
        var template = WithValue(
            """{ "Ref": "Optional" }""",
            """, "Optional": { "Type": "AWS::SQS::Queue", "Condition": "Never" }""",
            conditions: """{ "Never": { "Fn::Equals": ["a", "b"] } }""");

        var error = Assert.Throws<TemplateException>(() => Load(template));

        Assert.Contains("'Optional' is not created: its Condition is false", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ResourceWithFalseCondition_IsLeftOut()
    {
        var model = Load(WithValue(
            "\"x\"",
            """, "Optional": { "Type": "AWS::SQS::Queue", "Condition": "Never" }""",
            conditions: """{ "Never": { "Fn::Equals": ["a", "b"] } }"""));

        Assert.False(model.Queues.ContainsKey("Optional"));
        Assert.True(model.Queues.ContainsKey("Queue"));
    }

    [Fact]
    public void Load_UnsupportedQueueProperty_IsRefusedNamingIt()
    {
        var error = Assert.Throws<TemplateException>(() => Load(WithValue("\"x\"", """, "Odd": { "Type": "AWS::SQS::Queue", "Properties": { "Colour": "blue" } }""")));

        Assert.Contains("Resource 'Odd', property 'Properties.Colour': queue property 'Colour' is not supported", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ProblemsInSeveralResources_AreReportedTogether()
    {
        var template = WithValue(
            """{ "Fn::GetAZs": "" }""",
            """, "Odd": { "Type": "AWS::SQS::Queue", "Properties": { "Colour": "blue" } }""");

        var error = Assert.Throws<TemplateException>(() => Load(template));

        Assert.Contains("Resource 'Fn'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Resource 'Odd'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_OtherTransform_IsRefused()
    {
        var error = Assert.Throws<TemplateException>(() => Load("""{ "Transform": ["AWS::Serverless-2016-10-31", "AWS::LanguageExtensions"], "Resources": {} }"""));

        Assert.Contains("Transform 'AWS::LanguageExtensions' is not supported", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Yaml_IsRefusedAsNotJson()
    {
        var error = Assert.Throws<TemplateException>(() => Load("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"));

        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FunctionWithLayers_IsRefused()
    {
        var error = Assert.Throws<TemplateException>(() => Load("""
            { "Resources": { "F": { "Type": "AWS::Serverless::Function", "Properties": { "Handler": "h", "Layers": ["arn:aws:lambda:eu-west-1:1:layer:x:1"] } } } }
            """));

        Assert.Contains("Resource 'F', property 'Properties.Layers'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FunctionWithoutHandler_IsRefused()
    {
        var error = Assert.Throws<TemplateException>(() => Load("""{ "Resources": { "F": { "Type": "AWS::Serverless::Function", "Properties": {} } } }"""));

        Assert.Contains("Resource 'F', property 'Properties.Handler'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ResourceNameDependingOnItself_IsRefused()
    {
        var error = Assert.Throws<TemplateException>(() => Load("""
            { "Resources": { "Q": { "Type": "AWS::SQS::Queue", "Properties": { "QueueName": { "Fn::GetAtt": ["Q", "QueueName"] } } } } }
            """));

        Assert.Contains("depends on itself", error.Message, StringComparison.Ordinal);
    }
}
