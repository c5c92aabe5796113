using System.Globalization;
using Amazon.SQS;
using Amazon.SQS.Model;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using Microsoft.Extensions.Logging;
using Queueing.Ingest.Rounds;
using Queueing.Ingest.Settings;
using Queueing.Ingest.Waylay;
using Queueing.Shared.DeadLetters;
using Queueing.Shared.Logging;
using Queueing.Shared.Secrets;
using Queueing.Testing;

namespace Queueing.Ingest.Tests.Support;

/// <summary>
/// What the template deploys for the ingest path, on a real moto_server: IngestQueue with a redrive policy to
/// IngestDLQ (maxReceiveCount = MAX_RECEIVE_COUNT), the credentials as an SSM SecureString, and the function
/// wired with production classes (explicit clients pointing at moto).
/// </summary>
internal sealed class IngestStack : IDisposable
{
    public const int MaxReceiveCount = 3;
    public const int MaxTelemetryBytes = 4096;

    private readonly MemoryStream _stdout = new();

    private IngestStack(AmazonSQSClient sqs, AmazonSimpleSystemsManagementClient ssm, string name)
    {
        Sqs = sqs;
        Ssm = ssm;
        Parameter = $"/queueing/{name}/waylay-credentials";
    }

    public AmazonSQSClient Sqs { get; }
    public AmazonSimpleSystemsManagementClient Ssm { get; }
    public string Parameter { get; }
    public string QueueUrl { get; private set; } = "";
    public string QueueArn { get; private set; } = "";
    public string DeadLetterQueueUrl { get; private set; } = "";

    public static async Task<IngestStack> CreateAsync(MotoServer moto, string apiKey, string apiSecret)
    {
        var name = "t" + Guid.NewGuid().ToString("N")[..10];
        var stack = new IngestStack(moto.CreateSqs(), moto.CreateSsm(), name);
        stack.DeadLetterQueueUrl = (await stack.Sqs.CreateQueueAsync(new CreateQueueRequest
        {
            QueueName = $"IngestDLQ-{name}",
            Attributes = new Dictionary<string, string> { ["MessageRetentionPeriod"] = "1209600" },
        })).QueueUrl;
        var dlqArn = (await stack.Sqs.GetQueueAttributesAsync(stack.DeadLetterQueueUrl, ["QueueArn"])).QueueARN;
        stack.QueueUrl = (await stack.Sqs.CreateQueueAsync(new CreateQueueRequest
        {
            QueueName = $"IngestQueue-{name}",
            Attributes = new Dictionary<string, string>
            {
                ["VisibilityTimeout"] = "60",
                ["RedrivePolicy"] = $"{{\"deadLetterTargetArn\":\"{dlqArn}\",\"maxReceiveCount\":\"{MaxReceiveCount}\"}}",
            },
        })).QueueUrl;
        stack.QueueArn = (await stack.Sqs.GetQueueAttributesAsync(stack.QueueUrl, ["QueueArn"])).QueueARN;
        await stack.PutCredentialsAsync(apiKey, apiSecret);
        return stack;
    }

    public Task PutCredentialsAsync(string apiKey, string apiSecret) => Ssm.PutParameterAsync(new PutParameterRequest
    {
        Name = Parameter,
        Type = ParameterType.SecureString,
        Overwrite = true,
        Value = $"{{\"apiKey\":\"{apiKey}\",\"apiSecret\":\"{apiSecret}\"}}",
    });

    public IngestSettings Settings(Uri waylay) => new()
    {
        WaylayDataUrl = waylay,
        CredentialsParameter = Parameter,
        DeadLetterQueueUrl = DeadLetterQueueUrl,
        MaxReceiveCount = MaxReceiveCount,
        WaylayRequestTimeout = TimeSpan.FromSeconds(1),
        MaxTelemetryBytes = MaxTelemetryBytes,
    };

    /// <summary>The ingest handler as the factory builds it, with short retry delays and clients bound to moto.</summary>
    public IngestFunction Handler(Uri waylay)
    {
        var settings = Settings(waylay);
        var loggers = new JsonLoggerFactory(new JsonLogWriter(_stdout), LogLevel.Debug, TimeProvider.System);
        var client = new WaylayClient(
            WaylayClient.CreateHttpClient(),
            waylay,
            new SsmSecureStringSecret(Ssm, Parameter),
            Parameter,
            new WaylayResilienceOptions
            {
                RequestTimeout = settings.WaylayRequestTimeout,
                MaxRetryAttempts = 3,
                BaseDelay = TimeSpan.FromMilliseconds(50),
                MaxDelay = TimeSpan.FromMilliseconds(400),
                MinimumThroughput = 20,
                BreakDuration = TimeSpan.FromSeconds(1),
            },
            TimeProvider.System,
            loggers.CreateLogger("Queueing.Ingest.Waylay"));
        var parker = new DeadLetterParker(Sqs, DeadLetterQueueUrl, "ingest", loggers.CreateLogger("Queueing.DeadLetters"));
        return new IngestFunction(settings, client, parker, new RequestChunker(), TimeProvider.System, loggers);
    }

    public string Logs => System.Text.Encoding.UTF8.GetString(_stdout.ToArray());

    public async Task SendAsync(IReadOnlyList<string> bodies)
    {
        for (var i = 0; i < bodies.Count; i += 10)
        {
            var response = await Sqs.SendMessageBatchAsync(new SendMessageBatchRequest
            {
                QueueUrl = QueueUrl,
                Entries = [.. bodies.Skip(i).Take(10).Select((b, j) => new SendMessageBatchRequestEntry { Id = "s" + j.ToString(CultureInfo.InvariantCulture), MessageBody = b })],
            });
            Assert.Empty(response.Failed ?? []);
        }
    }

    /// <summary>Everything in the DLQ, read (not deleted) with its message attributes.</summary>
    public Task<List<Message>> DeadLettersAsync() => QueueReader.ReceiveAllAsync(Sqs, DeadLetterQueueUrl, delete: false, visibilitySeconds: 600);

    public void Dispose()
    {
        Sqs.Dispose();
        Ssm.Dispose();
        _stdout.Dispose();
    }
}
