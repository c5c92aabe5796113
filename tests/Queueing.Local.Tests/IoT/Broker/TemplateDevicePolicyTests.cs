using Queueing.Emulators.IoT.Broker;
using Queueing.Emulators.Template;
using Queueing.Local.Tests.Support;
using Queueing.Testing;

namespace Queueing.Local.Tests.IoT.Broker;

public sealed class TemplateDevicePolicyTests
{
    // The real template under its real stack name, as `up` loads it.
    private static readonly StackContext Stack = QueueingApplication.Stack(new Uri("http://127.0.0.1:5000/"));

    private static StackModel LoadReal(IReadOnlyDictionary<string, string>? overrides = null) =>
        StackModel.Load(
            TemplateDocument.Load(RepositoryRoot.File("serverless.template")),
            Stack,
            overrides ?? new Dictionary<string, string>(),
            QueueingApplication.LocalParameterDefaults);

    private const string Connect = """
        { "Effect": "Allow", "Action": "iot:Connect", "Resource": { "Fn::Sub": "arn:${AWS::Partition}:iot:${AWS::Region}:${AWS::AccountId}:client/${!iot:Connection.Thing.ThingName}" } }
        """;

    /// <summary>A template whose policy Policy has the connect statement and then <paramref name="statementsJson"/>.</summary>
    private static StackModel WithPolicy(string statementsJson) => Templates.Load($$"""
        {
          "Resources": {
            "Policy": { "Type": "AWS::IoT::Policy", "Properties": { "PolicyDocument": { "Version": "2012-10-17", "Statement": [ {{Connect}}, {{statementsJson}} ] } } }
          }
        }
        """);

    private static string Topic(string resource) => $$"""{ "Fn::Sub": "arn:${AWS::Partition}:iot:${AWS::Region}:${AWS::AccountId}:{{resource}}" }""";

    [Fact]
    public void Load_RealTemplate_SubEscapeLeavesThePolicyVariableLiteral()
    {
        var policy = Assert.Single(LoadReal().IoTPolicies);

        Assert.Equal("DevicePolicy", policy.LogicalId);
        Assert.Equal(
            "arn:aws:iot:us-east-1:123456789012:client/${iot:Connection.Thing.ThingName}",
            policy.Properties["PolicyDocument"]!["Statement"]![0]!["Resource"]!.ToString());
    }

    [Fact]
    public void Read_RealTemplate_IsTheDevicesPolicy()
    {
        var policy = TemplateDevicePolicy.Read(LoadReal());

        Assert.NotNull(policy);
        // The built-in fallback (a template without a device policy) agrees with the template's: telemetry and the
        // ack topic (PublishOwnCommandAcks, issue 15) out, commands in.
        Assert.Equal(["devices/{thingName}/telemetry", "devices/{thingName}/commands/ack"], policy.PublishTopics);
        Assert.Equal(policy.PublishTopics, QueueingApplication.DevicePolicy.PublishTopics);
        Assert.Equal(QueueingApplication.DevicePolicy.SubscribeFilters, policy.SubscribeFilters);
        Assert.True(policy.AllowsPublish("lamp-1", "devices/lamp-1/telemetry"));
        Assert.False(policy.AllowsPublish("lamp-1", "devices/lamp-2/telemetry"));
        // Exactly its own ack topic: not another device's, not a wildcard, not a deeper or shallower topic.
        Assert.True(policy.AllowsPublish("lamp-1", "devices/lamp-1/commands/ack"));
        Assert.False(policy.AllowsPublish("lamp-1", "devices/lamp-2/commands/ack"));
        Assert.False(policy.AllowsPublish("lamp-1", "devices/+/commands/ack"));
        Assert.False(policy.AllowsPublish("lamp-1", "devices/lamp-1/commands/ack/x"));
        Assert.False(policy.AllowsPublish("lamp-1", "devices/lamp-1/commands"));
        Assert.True(policy.AllowsSubscribe("lamp-1", "devices/lamp-1/commands"));
        Assert.False(policy.AllowsSubscribe("lamp-1", "devices/+/commands"));
    }

    [Fact]
    public void Read_RealTemplateWithOverriddenTopics_FollowsTheParameters()
    {
        var policy = TemplateDevicePolicy.Read(LoadReal(new Dictionary<string, string>
        {
            ["TelemetryTopicFilter"] = "site/+/up",
            ["CommandTopicTemplate"] = "site/{deviceId}/down",
            ["CommandAckTopicFilter"] = "site/+/down/ack",
        }));

        Assert.NotNull(policy);
        Assert.Equal(["site/{thingName}/up", "site/{thingName}/down/ack"], policy.PublishTopics);
        Assert.Equal(["site/{thingName}/down"], policy.SubscribeFilters);
    }

    [Fact]
    public void Read_TemplateWithoutIoTPolicy_IsNull()
    {
        Assert.Null(TemplateDevicePolicy.Read(Templates.Load("""{ "Resources": { "Queue": { "Type": "AWS::SQS::Queue" } } }""")));
    }

    [Fact]
    public void Read_PolicyWithoutTheThingNameVariable_IsNotADevicePolicy()
    {
        var model = Templates.Load("""
            {
              "Resources": {
                "Operator": { "Type": "AWS::IoT::Policy", "Properties": { "PolicyDocument": { "Statement": [ { "Effect": "Allow", "Action": "iot:*", "Resource": "*" } ] } } }
              }
            }
            """);

        Assert.Null(TemplateDevicePolicy.Read(model));
    }

    [Fact]
    public void Read_DenyStatement_IsRefusedNamingResourceAndProperty()
    {
        var error = Assert.Throws<TemplateException>(() => TemplateDevicePolicy.Read(WithPolicy(
            $$"""{ "Effect": "Deny", "Action": "iot:Publish", "Resource": {{Topic("topic/devices/${!iot:Connection.Thing.ThingName}/secret")}} }""")));

        Assert.StartsWith("Resource 'Policy', property 'Properties.PolicyDocument.Statement[1].Effect': Deny statements are not supported: the local broker cannot enforce it", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_WildcardAction_IsRefusedNamingResourceAndProperty()
    {
        var error = Assert.Throws<TemplateException>(() => TemplateDevicePolicy.Read(WithPolicy(
            $$"""{ "Effect": "Allow", "Action": ["iot:Publish", "iot:*"], "Resource": {{Topic("topic/devices/${!iot:Connection.Thing.ThingName}/telemetry")}} }""")));

        Assert.Equal(
            "Resource 'Policy', property 'Properties.PolicyDocument.Statement[1].Action[1]': the wildcard action 'iot:*' grants more than the local broker knows and the local broker cannot enforce it; list iot:Connect, iot:Publish, iot:Subscribe or iot:Receive",
            error.Message);
    }

    [Fact]
    public void Read_WildcardSubscribeResource_IsRefused()
    {
        var error = Assert.Throws<TemplateException>(() => TemplateDevicePolicy.Read(WithPolicy(
            $$"""{ "Effect": "Allow", "Action": "iot:Subscribe", "Resource": {{Topic("topicfilter/devices/${!iot:Connection.Thing.ThingName}/*")}} }""")));

        Assert.StartsWith("Resource 'Policy', property 'Properties.PolicyDocument.Statement[1].Resource': the wildcard in 'devices/${iot:Connection.Thing.ThingName}/*' cannot be expressed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_WildcardPublishResource_IsEnforcedAsThePolicyWildcard()
    {
        // AWS IoT policies: * is any characters (/ included), ? one character, + and # are literal.
        var policy = TemplateDevicePolicy.Read(WithPolicy(
            $$"""{ "Effect": "Allow", "Action": "iot:Publish", "Resource": [{{Topic("topic/site/*/light")}}, {{Topic("topic/room-?/+")}}] }"""))!;

        Assert.True(policy.AllowsPublish("lamp-1", "site/a/light"));
        Assert.True(policy.AllowsPublish("lamp-1", "site/a/b/light"));
        Assert.False(policy.AllowsPublish("lamp-1", "site/a/light/x"));
        Assert.False(policy.AllowsPublish("lamp-1", "other/a/light"));
        Assert.True(policy.AllowsPublish("lamp-1", "room-7/+"));
        Assert.False(policy.AllowsPublish("lamp-1", "room-7/x"));
        Assert.False(policy.AllowsPublish("lamp-1", "room-17/+"));
    }

    [Theory]
    [InlineData("legacy/telemetry", "legacy/telemetry", true)]
    [InlineData("legacy/telemetry", "legacy/other", false)]
    [InlineData("+/light", "lamp-1/light", true)]
    [InlineData("+/light", "lamp-2/light", true)]
    public void Read_RealTemplateWithALegacyTopic_DevicesMayPublishThereAsWell(string filter, string topic, bool allowed)
    {
        var policy = TemplateDevicePolicy.Read(LoadReal(new Dictionary<string, string> { ["LegacyTelemetryTopicFilter"] = filter }))!;

        Assert.Equal(allowed, policy.AllowsPublish("lamp-1", topic));
        Assert.True(policy.AllowsPublish("lamp-1", "devices/lamp-1/telemetry"));
        Assert.False(policy.AllowsPublish("lamp-1", "devices/lamp-2/telemetry"));
    }

    [Fact]
    public void Read_NotActionAndForeignCondition_AreBothRefused()
    {
        var lines = Assert.Throws<TemplateException>(() => TemplateDevicePolicy.Read(WithPolicy(
            $$"""{ "Effect": "Allow", "NotAction": "iot:Connect", "Resource": {{Topic("topic/devices/${!iot:Connection.Thing.ThingName}/x")}}, "Condition": { "StringEquals": { "iot:Connection.Thing.ThingTypeName": "lamp" } } }""")))
            .Message.Split(Environment.NewLine);

        Assert.Collection(
            lines,
            l => Assert.StartsWith("Resource 'Policy', property 'Properties.PolicyDocument.Statement[1].NotAction': ", l, StringComparison.Ordinal),
            l => Assert.StartsWith("Resource 'Policy', property 'Properties.PolicyDocument.Statement[1].Condition': ", l, StringComparison.Ordinal),
            l => Assert.StartsWith("Resource 'Policy', property 'Properties.PolicyDocument.Statement[1].Action': expected a string", l, StringComparison.Ordinal));
    }

    [Fact]
    public void Read_SubscribeWithoutReceive_IsRefusedBecauseTheBrokerWouldDeliverWhatAwsDrops()
    {
        var error = Assert.Throws<TemplateException>(() => TemplateDevicePolicy.Read(WithPolicy(
            $$"""{ "Effect": "Allow", "Action": "iot:Subscribe", "Resource": {{Topic("topicfilter/devices/${!iot:Connection.Thing.ThingName}/commands")}} }""")));

        Assert.StartsWith("Resource 'Policy', property 'Properties.PolicyDocument.Statement[1].Resource': devices may subscribe to 'devices/{thingName}/commands' but no iot:Receive", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_SubscribeAndReceiveInOneStatementOnTopicfilter_IsRefusedForTheReceiveResourceType()
    {
        var error = Assert.Throws<TemplateException>(() => TemplateDevicePolicy.Read(WithPolicy(
            $$"""{ "Effect": "Allow", "Action": ["iot:Subscribe", "iot:Receive"], "Resource": {{Topic("topicfilter/devices/${!iot:Connection.Thing.ThingName}/commands")}} }""")));

        Assert.Equal(
            "Resource 'Policy', property 'Properties.PolicyDocument.Statement[1].Resource': this statement's action applies to 'topic/...' resources, not 'topicfilter/...'",
            error.Message);
    }
}
