using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Queueing.Template.Tests.Support;

namespace Queueing.Template.Tests;

public sealed class ParameterTests
{
    private readonly ServerlessTemplate _template = ServerlessTemplate.Current;

    [Fact]
    public void Defaults_ContractSettings_AreTheDocumentedValues()
    {
        Assert.Equal("https://api.waylay.io", Default("WaylayDataUrl"));
        Assert.Equal("/queueing/waylay-credentials", Default("WaylayCredentialsParameter"));
        Assert.Equal("devices/+/telemetry", Default("TelemetryTopicFilter"));
        // Today's format and no legacy rule: a stack deployed before the choice existed keeps behaving the same.
        Assert.Equal("flat", Default("TelemetryFormat"));
        Assert.Equal(["flat", "envelope"], _template.Parameter("TelemetryFormat")["AllowedValues"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal("", Default("LegacyTelemetryTopicFilter"));
        Assert.Equal("devices/{deviceId}/commands", Default("CommandTopicTemplate"));
        Assert.Equal("/queueing/command-signing-secret", Default("CommandSigningSecretParameter"));
        Assert.Equal("Information", Default("LogLevel"));
        Assert.Equal(["Trace", "Debug", "Information", "Warning", "Error"], _template.Parameter("LogLevel")["AllowedValues"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Null(_template.Parameter("IotDataEndpoint")["Default"]); // account specific: the deployer must give it
        Assert.Contains("aws iot describe-endpoint --endpoint-type iot:Data-ATS", _template.Parameter("IotDataEndpoint")["Description"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parameters_Every_IsDescribedAndUsed()
    {
        var text = _template.Root.ToJsonString();
        foreach (var (name, definition) in _template.Parameters)
        {
            Assert.False(string.IsNullOrWhiteSpace(definition!["Description"]?.GetValue<string>()), $"{name} has no description");
            Assert.True(
                text.Contains($"\"Ref\":\"{name}\"", StringComparison.Ordinal) || text.Contains("${" + name + "}", StringComparison.Ordinal),
                $"{name} is never used");
        }
    }

    [Fact]
    public void NumberParameters_Every_HasBoundsThatContainTheDefault()
    {
        foreach (var (name, definition) in _template.Parameters.Where(p => p.Value!["Type"]!.GetValue<string>() == "Number"))
        {
            var min = definition!["MinValue"]?.GetValue<int>();
            var max = definition["MaxValue"]?.GetValue<int>();
            Assert.True(min is not null && max is not null, $"{name} is unbounded");
            var value = definition["Default"]!.GetValue<int>();
            Assert.InRange(value, min!.Value, max!.Value);
        }

        Assert.Equal(2, _template.Parameter("IngestMaxConcurrency")["MinValue"]!.GetValue<int>());
        Assert.Equal(10, _template.Parameter("CommandBatchSize")["MaxValue"]!.GetValue<int>());
        Assert.True(_template.Parameter("CommandTtlDefaultSeconds")["Default"]!.GetValue<int>() <= _template.Parameter("CommandTtlMaxSeconds")["Default"]!.GetValue<int>());
    }

    [Fact]
    public void StringParameters_Defaults_SatisfyTheirOwnPattern()
    {
        foreach (var (name, definition) in _template.Parameters.Where(p => p.Value!["AllowedPattern"] is not null))
        {
            if (definition!["Default"] is JsonValue value)
            {
                Assert.True(Allowed(name, value.GetValue<string>()), $"default of {name} fails its own pattern");
            }
        }
    }

    [Theory]
    [InlineData("WaylayDataUrl", "https://api.waylay.io", true)]
    [InlineData("WaylayDataUrl", "https://eu.example.com:8443/broker", true)]
    [InlineData("WaylayDataUrl", "http://api.waylay.io", false)]
    [InlineData("WaylayCredentialsParameter", "/prod/waylay.credentials", true)]
    [InlineData("WaylayCredentialsParameter", "queueing/waylay-credentials", false)]
    [InlineData("WaylayCredentialsParameter", "/queueing/", false)]
    [InlineData("CommandSigningSecretParameter", "/a", true)]
    [InlineData("CommandSigningSecretParameter", "/a b", false)]
    [InlineData("TelemetryTopicFilter", "plant/+/data/json", true)]
    [InlineData("TelemetryTopicFilter", "devices/#", false)]
    [InlineData("TelemetryTopicFilter", "+/telemetry", false)]
    [InlineData("TelemetryTopicFilter", "a/b/+/telemetry", false)]
    [InlineData("TelemetryTopicFilter", "devices/+/telemetry/+", false)]
    [InlineData("TelemetryTopicFilter", "$aws/+/telemetry", false)]
    [InlineData("LegacyTelemetryTopicFilter", "", true)]
    [InlineData("LegacyTelemetryTopicFilter", "sensors/light", true)]
    [InlineData("LegacyTelemetryTopicFilter", "lightSensor", true)]
    [InlineData("LegacyTelemetryTopicFilter", "site.1/+/data", true)]
    [InlineData("LegacyTelemetryTopicFilter", "+/telemetry", true)]
    [InlineData("LegacyTelemetryTopicFilter", "sensors/#", false)]
    [InlineData("LegacyTelemetryTopicFilter", "sensors/light+", false)]
    [InlineData("LegacyTelemetryTopicFilter", "sensors//light", false)]
    [InlineData("LegacyTelemetryTopicFilter", "sensors/light/", false)]
    [InlineData("LegacyTelemetryTopicFilter", "$aws/things/lamp-1/shadow/update", false)]
    [InlineData("LegacyTelemetryTopicFilter", "it's/data", false)]
    [InlineData("LegacyTelemetryTopicFilter", "sensors/light*", false)]
    [InlineData("CommandTopicTemplate", "{deviceId}/in", true)]
    [InlineData("CommandTopicTemplate", "devices/+/commands", false)]
    [InlineData("CommandTopicTemplate", "devices/{deviceId}/#", false)]
    [InlineData("CommandTopicTemplate", "devices/{deviceId}/{deviceId}", false)]
    [InlineData("CommandTopicTemplate", "$aws/things/{deviceId}/shadow/update", false)]
    [InlineData("IotDataEndpoint", "a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com", true)]
    [InlineData("IotDataEndpoint", "https://a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com", true)]
    [InlineData("IotDataEndpoint", "", false)]
    [InlineData("IotDataEndpoint", "https://host/topics/x", false)]
    [InlineData("SecretsKmsKeyArn", "", true)]
    [InlineData("SecretsKmsKeyArn", "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", true)]
    [InlineData("SecretsKmsKeyArn", "alias/aws/ssm", false)]
    [InlineData("AlarmTopicArn", "arn:aws:sns:eu-west-1:123456789012:ops-alerts", true)]
    [InlineData("AlarmTopicArn", "ops-alerts", false)]
    [InlineData("IngestQueueOperatorArn", "", true)]
    [InlineData("IngestQueueOperatorArn", "arn:aws:iam::123456789012:role/queueing-operator", true)]
    [InlineData("IngestQueueOperatorArn", "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_QueueingOperator_*", true)]
    [InlineData("IngestQueueOperatorArn", "arn:aws:iam::123456789012:user/alice", true)]
    [InlineData("IngestQueueOperatorArn", "*", false)]
    [InlineData("IngestQueueOperatorArn", "arn:aws:iam::123456789012:root", false)]
    [InlineData("IngestQueueOperatorArn", "arn:aws:sts::123456789012:assumed-role/queueing-operator/alice", false)]
    public void AllowedPattern_Value_IsAcceptedOnlyWhenUsable(string parameter, string value, bool accepted)
    {
        Assert.Equal(accepted, Allowed(parameter, value));
    }

    private string Default(string name) => _template.Parameter(name)["Default"]!.GetValue<string>();

    // CloudFormation matches AllowedPattern against the whole value; the patterns here are anchored anyway.
    private bool Allowed(string parameter, string value)
    {
        var pattern = _template.Parameter(parameter)["AllowedPattern"]!.GetValue<string>();
        return Regex.IsMatch(value, $"^(?:{pattern})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))
            && value.Length >= (_template.Parameter(parameter)["MinLength"]?.GetValue<int>() ?? 0);
    }
}
