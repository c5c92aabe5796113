using Amazon;
using Amazon.Runtime.Credentials;
using Amazon.SQS;
using Queueing.Shared.DeadLetters;
using Queueing.Shared.Runtime;

namespace Queueing.Actuate.Publisher;

/// <summary>Init of the <c>command-publisher</c> handler: settings, AWS clients, the function.</summary>
public static class CommandPublisherFunctionFactory
{
    public static Task<IFunctionHandler> CreateAsync(FunctionStartup startup, CancellationToken cancellationToken)
    {
        var settings = CommandPublisherSettings.Read(startup.Settings);
        // The function's role: in Lambda the default chain finds AWS_ACCESS_KEY_ID / _SECRET_ACCESS_KEY /
        // _SESSION_TOKEN; the handler re-reads them on every request, so refreshed credentials are picked up.
        var credentials = DefaultAWSCredentialsIdentityResolver.GetCredentials();
        var publisher = new IotDataPublisher(
            settings.IotDataEndpoint,
            credentials,
            RegionEndpoint.GetBySystemName(settings.Region),
            settings.PublishTimeout,
            startup.Time);
        var sqs = new AmazonSQSClient();
        var parker = new DeadLetterParker(
            sqs,
            settings.DeadLetterQueueUrl.ToString(),
            startup.FunctionName,
            startup.Loggers.CreateLogger("Queueing.DeadLetters"));
        IFunctionHandler function = new CommandPublisherFunction(
            publisher,
            settings.TopicTemplate,
            parker,
            new CommandStatusSender(sqs, settings.StatusQueueUrl.ToString(), startup.Loggers.CreateLogger("Queueing.Actuate.CommandStatus")),
            settings.MaxReceiveCount,
            startup.Time,
            startup.Loggers.CreateLogger("Queueing.Actuate.CommandPublisher"));
        return Task.FromResult(function);
    }
}
