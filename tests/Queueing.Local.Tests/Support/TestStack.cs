using System.Text.Json.Nodes;
using Queueing.Testing;

namespace Queueing.Local.Tests.Support;

/// <summary>A template in a temp folder whose functions are the test function's handlers, with queues and secrets.</summary>
internal sealed class TestStack : IDisposable
{
    private readonly TempDirectory _directory = new();

    public TestStack(string? extraResources = null)
    {
        var codeUri = JsonValue.Create(TestFunctionBinary.ProjectDirectory).ToJsonString();
        TemplatePath = _directory.File("serverless.template");
        File.WriteAllText(TemplatePath, $$"""
            {
              "AWSTemplateFormatVersion": "2010-09-09",
              "Transform": "AWS::Serverless-2016-10-31",
              "Parameters": {
                "Greeting": { "Type": "String", "Default": "hello" },
                "MaxReceiveCount": { "Type": "Number", "Default": 4 },
                "IotDataEndpoint": { "Type": "String" }
              },
              "Globals": { "Function": { "CodeUri": {{codeUri}}, "Runtime": "provided.al2023", "MemorySize": 256, "Timeout": 10 } },
              "Resources": {
                "TargetDLQ": { "Type": "AWS::SQS::Queue", "Properties": { "MessageRetentionPeriod": 1209600 } },
                "TargetQueue": {
                  "Type": "AWS::SQS::Queue",
                  "Properties": {
                    "VisibilityTimeout": 60,
                    "RedrivePolicy": { "deadLetterTargetArn": { "Fn::GetAtt": ["TargetDLQ", "Arn"] }, "maxReceiveCount": { "Ref": "MaxReceiveCount" } }
                  }
                },
                "EchoFunction": { "Type": "AWS::Serverless::Function", "Properties": { "Handler": "echo" } },
                "ThrowFunction": { "Type": "AWS::Serverless::Function", "Properties": { "Handler": "throw" } },
                "SleepFunction": { "Type": "AWS::Serverless::Function", "Properties": { "Handler": "sleep", "Timeout": 1 } },
                "LongSleepFunction": { "Type": "AWS::Serverless::Function", "Properties": { "Handler": "sleep", "Timeout": 120 } },
                "InitFailFunction": { "Type": "AWS::Serverless::Function", "Properties": { "Handler": "init-fail" } },
                "SendFunction": {
                  "Type": "AWS::Serverless::Function",
                  "Properties": { "Handler": "send", "Environment": { "Variables": { "TARGET_QUEUE_URL": { "Ref": "TargetQueue" } } } }
                },
                "EnvFunction": {
                  "Type": "AWS::Serverless::Function",
                  "Properties": {
                    "Handler": "env",
                    "Environment": {
                      "Variables": {
                        "GREETING": { "Fn::Sub": "${Greeting} from ${AWS::StackName}" },
                        "TARGET_QUEUE_URL": { "Ref": "TargetQueue" },
                        "DEAD_LETTER_QUEUE_URL": { "Ref": "TargetDLQ" },
                        "OVERRIDE_ME": "template",
                        "SHARED_ME": "template",
                        "WAYLAY_DATA_URL": "https://api.waylay.io",
                        "IOT_DATA_ENDPOINT": { "Ref": "IotDataEndpoint" },
                        "WAYLAY_CREDENTIALS_PARAMETER": "/queueing/waylay-credentials",
                        "COMMAND_SIGNING_SECRET_PARAMETER": "/queueing/command-signing-secret"
                      }
                    }
                  }
                }{{extraResources}}
              }
            }
            """);
    }

    public string TemplatePath { get; }

    public string Directory => _directory.Path;

    public string WriteFile(string name, string content)
    {
        var path = _directory.File(name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => _directory.Dispose();
}
