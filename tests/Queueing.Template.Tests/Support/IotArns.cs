namespace Queueing.Template.Tests.Support;

/// <summary>IoT resource ARNs as a deployment of the template resolves them.</summary>
internal static class IotArns
{
    /// <summary><c>arn:aws:iot:region:account</c>, before <c>:client/...</c>, <c>:topic/...</c>, <c>:rule/...</c>.</summary>
    public const string Prefix = $"arn:{TemplateEvaluator.Partition}:iot:{TemplateEvaluator.Region}:{TemplateEvaluator.AccountId}";

    /// <summary>The thing policy variable the device policy confines each device with.</summary>
    public const string ThingName = "${iot:Connection.Thing.ThingName}";
}
