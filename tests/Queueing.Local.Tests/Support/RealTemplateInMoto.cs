using Amazon.SQS;
using Queueing.Emulators.Template;
using Queueing.Local.Aws;
using Queueing.Local.Functions;
using Queueing.Testing;

namespace Queueing.Local.Tests.Support;

/// <summary>The repository's serverless.template as <c>up</c> provisions it, in a moto shared by other tests.</summary>
internal static class RealTemplateInMoto
{
    /// <summary>The model under a fresh stack name (so tests sharing one moto do not share queues) and an SQS client
    /// for that moto; its queues and parameters are created.</summary>
    public static async Task<(StackModel Model, AmazonSQSClient Sqs)> ProvisionAsync(
        MotoServer moto, string stackPrefix, IReadOnlyDictionary<string, string>? parameterOverrides = null)
    {
        var stack = new StackContext { StackName = $"{stackPrefix}{Guid.NewGuid():N}"[..15], SqsEndpoint = moto.Endpoint, Region = MotoServer.Region };
        var model = StackModel.Load(
            TemplateDocument.Load(RepositoryRoot.File("serverless.template")), stack, parameterOverrides ?? new Dictionary<string, string>(), QueueingApplication.LocalParameterDefaults);
        var provisioner = new LocalAwsProvisioner(new LocalAwsAccess(moto.Endpoint, MotoServer.Region), TextWriter.Null);
        await provisioner.ProvisionAsync(model, new LocalSecrets(), CancellationToken.None);
        return (model, provisioner.CreateSqs());
    }
}
