using Amazon.SQS;
using Amazon.SimpleSystemsManagement;
using Queueing.Ingest.Rounds;
using Queueing.Ingest.Settings;
using Queueing.Ingest.Waylay;
using Queueing.Shared.DeadLetters;
using Queueing.Shared.Runtime;
using Queueing.Shared.Secrets;

namespace Queueing.Ingest;

/// <summary>Wires the <c>ingest</c> function from its settings during the Lambda init phase.</summary>
internal static class IngestFunctionFactory
{
    public static Task<IFunctionHandler> CreateAsync(FunctionStartup startup, CancellationToken cancellationToken)
    {
        var settings = IngestSettings.Read(startup.Settings);
        // Default config: region, credentials and endpoint (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_SQS/_SSM) come from
        // the environment, which is how the local stack and the tests redirect them.
        var sqs = new AmazonSQSClient();
        var ssm = new AmazonSimpleSystemsManagementClient();
        var waylay = new WaylayClient(
            WaylayClient.CreateHttpClient(),
            settings.WaylayDataUrl,
            new SsmSecureStringSecret(ssm, settings.CredentialsParameter),
            settings.CredentialsParameter,
            new WaylayResilienceOptions { RequestTimeout = settings.WaylayRequestTimeout },
            startup.Time,
            startup.Loggers.CreateLogger("Queueing.Ingest.Waylay"));
        var parker = new DeadLetterParker(
            sqs, settings.DeadLetterQueueUrl, startup.FunctionName, startup.Loggers.CreateLogger("Queueing.DeadLetters"));
        IFunctionHandler handler = new IngestFunction(settings, waylay, parker, new RequestChunker(), startup.Time, startup.Loggers);
        return Task.FromResult(handler);
    }
}
