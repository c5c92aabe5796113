using Queueing.Emulators.Template;
using static Queueing.Local.Tests.Support.Templates;

namespace Queueing.Local.Tests.Template;

public sealed class IntrinsicResolverTests
{
    private const string Parameters = """
        {
          "LogLevel": { "Type": "String", "Default": "Information", "AllowedValues": ["Debug", "Information", "Warning", "Error"] },
          "MaxReceiveCount": { "Type": "Number", "Default": 5, "MinValue": 1, "MaxValue": 1000 },
          "Hosts": { "Type": "CommaDelimitedList", "Default": "a.example, b.example,c.example" },
          "Env": { "Type": "String", "Default": "dev" }
        }
        """;

    [Theory]
    [InlineData("AWS::Region", "eu-west-1")]
    [InlineData("AWS::AccountId", "123456789012")]
    [InlineData("AWS::Partition", "aws")]
    [InlineData("AWS::StackName", "teststack")]
    [InlineData("AWS::URLSuffix", "amazonaws.com")]
    public void Ref_PseudoParameter_ResolvesToLocalStackValue(string name, string expected) =>
        Assert.Equal(expected, Value($$"""{ "Ref": "{{name}}" }"""));

    [Fact]
    public void Ref_Parameter_UsesDefault() =>
        Assert.Equal("Information", Value("""{ "Ref": "LogLevel" }""", parameters: Parameters));

    [Fact]
    public void Ref_Parameter_OverrideWinsOverDefault() =>
        Assert.Equal("Debug", Value("""{ "Ref": "LogLevel" }""", parameters: Parameters, overrides: new Dictionary<string, string> { ["LogLevel"] = "Debug" }));

    [Fact]
    public void Ref_NumberParameter_ResolvesAsString() =>
        Assert.Equal("5", Value("""{ "Ref": "MaxReceiveCount" }""", parameters: Parameters));

    [Fact]
    public void Ref_Queue_IsItsLocalQueueUrl() =>
        Assert.Equal("http://127.0.0.1:5000/123456789012/teststack-Queue", Value("""{ "Ref": "Queue" }"""));

    [Theory]
    [InlineData("Arn", "arn:aws:sqs:eu-west-1:123456789012:teststack-Queue")]
    [InlineData("QueueName", "teststack-Queue")]
    [InlineData("QueueUrl", "http://127.0.0.1:5000/123456789012/teststack-Queue")]
    public void GetAtt_QueueAttribute_ResolvesToLocalValue(string attribute, string expected) =>
        Assert.Equal(expected, Value($$"""{ "Fn::GetAtt": ["Queue", "{{attribute}}"] }"""));

    [Fact]
    public void GetAtt_DottedStringForm_IsAccepted() =>
        Assert.Equal("arn:aws:sqs:eu-west-1:123456789012:teststack-Queue", Value("""{ "Fn::GetAtt": "Queue.Arn" }"""));

    [Fact]
    public void GetAtt_FunctionArn_UsesGeneratedFunctionName() =>
        Assert.Equal("arn:aws:lambda:eu-west-1:123456789012:function:teststack-Fn", Value("""{ "Fn::GetAtt": ["Fn", "Arn"] }"""));

    [Fact]
    public void GetAtt_ImplicitSamRole_ResolvesToRoleArn() =>
        Assert.Equal("arn:aws:iam::123456789012:role/teststack-FnRole", Value("""{ "Fn::GetAtt": ["FnRole", "Arn"] }"""));

    [Fact]
    public void GetAtt_FifoQueueWithoutName_GetsGeneratedFifoName()
    {
        var extra = """, "Commands": { "Type": "AWS::SQS::Queue", "Properties": { "FifoQueue": true } }""";

        Assert.Equal("teststack-Commands.fifo", Value("""{ "Fn::GetAtt": ["Commands", "QueueName"] }""", extra));
    }

    [Fact]
    public void GetAtt_QueueWithNameFromSub_UsesResolvedName()
    {
        var extra = """, "Named": { "Type": "AWS::SQS::Queue", "Properties": { "QueueName": { "Fn::Sub": "${AWS::StackName}-named" } } }""";

        Assert.Equal("arn:aws:sqs:eu-west-1:123456789012:teststack-named", Value("""{ "Fn::GetAtt": ["Named", "Arn"] }""", extra));
    }

    [Fact]
    public void Sub_StringForm_SubstitutesParametersPseudoParametersAndAttributes() =>
        Assert.Equal(
            "eu-west-1/Information/teststack-Queue/http://127.0.0.1:5000/123456789012/teststack-Queue",
            Value("""{ "Fn::Sub": "${AWS::Region}/${LogLevel}/${Queue.QueueName}/${Queue}" }""", parameters: Parameters));

    [Fact]
    public void Sub_EscapedLiteral_IsWrittenWithoutSubstitution() =>
        Assert.Equal("devices/${deviceId}/commands in teststack", Value("""{ "Fn::Sub": "devices/${!deviceId}/commands in ${AWS::StackName}" }"""));

    [Fact]
    public void Sub_ListForm_UsesVariablesIncludingIntrinsics() =>
        Assert.Equal(
            "queue=teststack-Queue level=Information",
            Value("""{ "Fn::Sub": ["queue=${Name} level=${LogLevel}", { "Name": { "Fn::GetAtt": ["Queue", "QueueName"] } }] }""", parameters: Parameters));

    [Fact]
    public void Join_OverSplitList_JoinsWithDelimiter() =>
        Assert.Equal("a|b|c", Value("""{ "Fn::Join": ["|", { "Fn::Split": [",", "a,b,c"] }] }"""));

    [Fact]
    public void Join_MixedValues_ConvertsEachToString() =>
        Assert.Equal("teststack-5-x", Value("""{ "Fn::Join": ["-", [{ "Ref": "AWS::StackName" }, { "Ref": "MaxReceiveCount" }, "x"]] }""", parameters: Parameters));

    [Fact]
    public void Select_FromCommaDelimitedListParameter_TrimsAndPicks() =>
        Assert.Equal("b.example", Value("""{ "Fn::Select": [1, { "Ref": "Hosts" }] }""", parameters: Parameters));

    [Fact]
    public void Select_IndexOutOfRange_IsRefused()
    {
        var error = Assert.Throws<TemplateException>(() => Value("""{ "Fn::Select": [3, ["a", "b"]] }"""));

        Assert.Contains("Resource 'Fn', property 'Properties.Environment.Variables.VALUE.Fn::Select'", error.Message, StringComparison.Ordinal);
        Assert.Contains("out of range", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dev", "small")]
    [InlineData("prod", "large")]
    public void If_OnEqualsCondition_PicksBranch(string environment, string expected) =>
        Assert.Equal(expected, Value(
            """{ "Fn::If": ["IsProd", "large", "small"] }""",
            parameters: Parameters,
            conditions: """{ "IsProd": { "Fn::Equals": [{ "Ref": "Env" }, "prod"] } }""",
            overrides: new Dictionary<string, string> { ["Env"] = environment }));

    [Fact]
    public void If_WithAndOrNotAndConditionReferences_Evaluates() =>
        Assert.Equal("yes", Value(
            """{ "Fn::If": ["Combined", "yes", "no"] }""",
            parameters: Parameters,
            conditions: """
                {
                  "IsDev": { "Fn::Equals": ["dev", { "Ref": "Env" }] },
                  "IsProd": { "Fn::Equals": ["prod", { "Ref": "Env" }] },
                  "Combined": { "Fn::And": [{ "Condition": "IsDev" }, { "Fn::Not": [{ "Condition": "IsProd" }] }, { "Fn::Or": [{ "Condition": "IsProd" }, { "Fn::Equals": ["5", { "Ref": "MaxReceiveCount" }] }] }] }
                }
                """));

    [Fact]
    public void If_NoValueBranch_RemovesTheProperty()
    {
        var model = Load(WithValue(
            """{ "Fn::If": ["Never", "x", { "Ref": "AWS::NoValue" }] }""",
            conditions: """{ "Never": { "Fn::Equals": ["a", "b"] } }"""));

        Assert.False(model.Functions["Fn"].Environment.ContainsKey("VALUE"));
    }

    [Fact]
    public void FindInMap_LooksUpTwoLevels() =>
        Assert.Equal("256", Value(
            """{ "Fn::FindInMap": ["Sizes", { "Ref": "AWS::Region" }, "Memory"] }""",
            mappings: """{ "Sizes": { "eu-west-1": { "Memory": "256" } } }"""));

    [Fact]
    public void Base64_EncodesUtf8() => Assert.Equal("aGk=", Value("""{ "Fn::Base64": "hi" }"""));

    [Theory]
    [InlineData("""{ "Fn::GetAZs": "" }""", "Fn::GetAZs")]
    [InlineData("""{ "Fn::ImportValue": "shared-queue-arn" }""", "Fn::ImportValue")]
    [InlineData("""{ "Fn::Cidr": ["10.0.0.0/16", 2, 8] }""", "Fn::Cidr")]
    [InlineData("""{ "Fn::ToJsonString": { "a": 1 } }""", "Fn::ToJsonString")]
    [InlineData("""{ "Fn::Length": [1, 2] }""", "Fn::Length")]
    [InlineData("""{ "Fn::Transform": { "Name": "X" } }""", "Fn::Transform")]
    public void Resolve_UnsupportedFunction_IsRefusedNamingResourceAndProperty(string valueJson, string function)
    {
        var error = Assert.Throws<TemplateException>(() => Value(valueJson));

        Assert.Contains($"Resource 'Fn', property 'Properties.Environment.Variables.VALUE.{function}'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{function} is not supported by the local stack", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_UnsupportedFunctionNestedInSub_NamesTheNestedPath()
    {
        var error = Assert.Throws<TemplateException>(() => Value("""{ "Fn::Sub": ["${X}", { "X": { "Fn::ImportValue": "other" } }] }"""));

        Assert.Contains("property 'Properties.Environment.Variables.VALUE.Fn::Sub[1].X.Fn::ImportValue'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ref_UnsupportedPseudoParameter_IsRefused()
    {
        var error = Assert.Throws<TemplateException>(() => Value("""{ "Ref": "AWS::Unknown" }"""));

        Assert.Contains("Resource 'Fn'", error.Message, StringComparison.Ordinal);
        Assert.Contains("pseudo parameter AWS::Unknown is not supported", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ref_UnknownName_IsRefused()
    {
        var error = Assert.Throws<TemplateException>(() => Value("""{ "Ref": "Nope" }"""));

        Assert.Contains("'Nope' is neither a parameter nor a resource", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ref_ResourceTypeWithoutLocalValue_IsRefused()
    {
        var error = Assert.Throws<TemplateException>(() => Value(
            """{ "Ref": "Bucket" }""",
            """, "Bucket": { "Type": "AWS::S3::Bucket" }"""));

        Assert.Contains("of type AWS::S3::Bucket: the local stack has no local value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetAtt_UnknownAttribute_IsRefusedNamingResourceAndProperty()
    {
        var error = Assert.Throws<TemplateException>(() => Value("""{ "Fn::GetAtt": ["Queue", "Nope"] }"""));

        Assert.Contains("Resource 'Fn', property 'Properties.Environment.Variables.VALUE.Fn::GetAtt'", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not provide attribute 'Nope' of AWS::SQS::Queue", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Equals_OutsideConditions_IsRefused()
    {
        var error = Assert.Throws<TemplateException>(() => Value("""{ "Fn::Equals": ["a", "a"] }"""));

        Assert.Contains("only allowed in the Conditions section", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void If_UnknownCondition_IsRefused()
    {
        var error = Assert.Throws<TemplateException>(() => Value("""{ "Fn::If": ["Missing", "a", "b"] }"""));

        Assert.Contains("condition 'Missing' is not defined", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Condition_UnsupportedFunction_IsRefusedNamingCondition()
    {
        var error = Assert.Throws<TemplateException>(() => Value(
            """{ "Fn::If": ["Odd", "a", "b"] }""",
            conditions: """{ "Odd": { "Fn::Contains": [["a"], "a"] } }"""));

        Assert.Contains("Condition 'Odd', property 'Fn::Contains'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sub_Unclosed_IsRefused()
    {
        var error = Assert.Throws<TemplateException>(() => Value("""{ "Fn::Sub": "abc ${AWS::Region" }"""));

        Assert.Contains("unclosed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Environment_ListValue_IsRefused()
    {
        var error = Assert.Throws<TemplateException>(() => Value("""["a", "b"]"""));

        Assert.Contains("Resource 'Fn', property 'Properties.Environment.Variables.VALUE'", error.Message, StringComparison.Ordinal);
        Assert.Contains("got a list", error.Message, StringComparison.Ordinal);
    }
}
