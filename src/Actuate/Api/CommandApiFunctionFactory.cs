using Amazon.SQS;
using Amazon.SimpleSystemsManagement;
using Microsoft.Extensions.Logging;
using Queueing.Shared.Runtime;
using Queueing.Shared.Secrets;
using Queueing.Shared.Settings;

namespace Queueing.Actuate.Api;

/// <summary>Init of the <c>command-api</c> handler: settings, AWS clients, the signing secret, the function.</summary>
internal static partial class CommandApiFunctionFactory
{
    // A slow SSM must not hold the init: the secret is then read by the first request instead.
    private static readonly TimeSpan InitSecretReadTimeout = TimeSpan.FromSeconds(3);

    public static async Task<IFunctionHandler> CreateAsync(FunctionStartup startup, CancellationToken cancellationToken)
    {
        var settings = CommandApiSettings.Read(startup.Settings);
        var logger = startup.Loggers.CreateLogger("Queueing.Actuate.CommandApi");
        // Default configuration: region from AWS_REGION, credentials from the role, and the endpoints overridable
        // with AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL_SSM (the local stack and tests).
        var sqs = new AmazonSQSClient();
        var ssm = new AmazonSimpleSystemsManagementClient();
        var secret = new SigningSecret(new SsmSecureStringSecret(ssm, settings.SigningSecretParameter), settings.SigningSecretParameter, startup.Time);
        await CheckSecretAsync(secret, settings.SigningSecretParameter, logger, startup.Time, cancellationToken);
        return new CommandApiFunction(
            settings,
            new SignatureVerifier(secret, settings.ReplayWindow, startup.Time),
            new CommandQueueWriter(sqs, settings.QueueUrl.ToString()),
            startup.Time,
            logger);
    }

    /// <summary>
    /// Reads the secret once during init, so a missing or too short one fails the init naming the parameter
    /// instead of answering 500 to every caller. A transient SSM failure is not a configuration fault: the first
    /// request reads it again.
    /// </summary>
    internal static async Task CheckSecretAsync(SigningSecret secret, string parameterName, ILogger logger, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(InitSecretReadTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await secret.GetAsync(linked.Token);
        }
        catch (SecretUnavailableException ex)
        {
            throw new SettingsException([$"COMMAND_SIGNING_SECRET_PARAMETER: {ex.Message}"], ex);
        }
        catch (Exception ex) when (AwsFailures.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
        {
            LogSecretDeferred(logger, parameterName, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The signing secret {Parameter} could not be read during init ({Reason}); the first request reads it")]
    private static partial void LogSecretDeferred(ILogger logger, string parameter, string reason);
}
