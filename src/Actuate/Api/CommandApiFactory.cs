using Amazon.SimpleSystemsManagement;
using Amazon.SQS;
using Queueing.Shared.Runtime;
using Queueing.Shared.Secrets;

namespace Queueing.Actuate.Api;

/// <summary>Init of the <c>command-api</c> handler: settings, AWS clients, the function.</summary>
public static class CommandApiFactory
{
    public static Task<IFunctionHandler> CreateAsync(FunctionStartup startup, CancellationToken cancellationToken)
    {
        var settings = CommandApiSettings.Read(startup.Settings);
        // Default configuration: region from AWS_REGION, credentials from the role, and the endpoints overridable
        // with AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL_SSM (the local stack and tests).
        var sqs = new AmazonSQSClient();
        var ssm = new AmazonSimpleSystemsManagementClient();
        var secret = new SsmSecureStringSecret(ssm, settings.SigningSecretParameter);
        IFunctionHandler function = new CommandApiFunction(
            settings,
            new SignatureVerifier(secret, startup.Time),
            new CommandQueueWriter(sqs, settings.QueueUrl.ToString()),
            startup.Time,
            startup.Loggers.CreateLogger("Queueing.Actuate.CommandApi"),
            startup.Output);
        return Task.FromResult(function);
    }
}
