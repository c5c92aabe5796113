using System.Text.Json;
using Amazon;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Queueing.Actuate.Api;
using Queueing.Actuate.Commands;
using Queueing.Actuate.Publisher;
using Queueing.Contracts.Events;
using Queueing.Contracts.Json;
using Queueing.Shared.DeadLetters;
using Queueing.Shared.Logging;
using Queueing.Shared.Secrets;
using Queueing.Testing;

namespace Queueing.Actuate.Tests.Support;

/// <summary>Builds the two functions the way their factories do, but over moto, a fake clock and the IoT stand-in.</summary>
internal static class Harness
{
    public const string Secret = "test-signing-secret-0123456789abcdef";
    public const string SecretParameter = "/queueing/command-signing-secret";
    public const string TopicTemplate = "devices/{deviceId}/commands";
    public static readonly DateTimeOffset Start = DateTimeOffset.Parse("2025-11-28T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    public static readonly CommandTopicTemplate Topics = CommandTopicTemplate.TryCreate(TopicTemplate, out var template, out var problems)
        ? template!
        : throw new InvalidOperationException(string.Join(", ", problems));

    public static CommandApiSettings ApiSettings(string queueUrl, int ttlDefault = 300, int ttlMax = 3600) =>
        new(new Uri(queueUrl), SecretParameter, Topics, ttlDefault, ttlMax, ReplayWindow.Default);

    public static CommandApiFunction Api(IAmazonSQS sqs, string queueUrl, ISecret secret, TimeProvider time, int ttlDefault = 300, int ttlMax = 3600) =>
        new(ApiSettings(queueUrl, ttlDefault, ttlMax),
            new SignatureVerifier(new SigningSecret(secret, SecretParameter, time), ReplayWindow.Default, time),
            new CommandQueueWriter(sqs, queueUrl),
            time,
            NullLogger.Instance);

    /// <summary>An API whose queue is unreachable: a test expecting a refusal fails (503) if it ever tries to enqueue.</summary>
    public static CommandApiFunction OfflineApi(TimeProvider time, ISecret? secret = null, int ttlDefault = 300, int ttlMax = 3600) =>
        Api(Unreachable(), "http://127.0.0.1:1/123456789012/nowhere.fifo", secret ?? new FakeSecret(Secret), time, ttlDefault, ttlMax);

    public static AmazonSQSClient Unreachable() => new(
        new BasicAWSCredentials("testing", "testing"),
        new AmazonSQSConfig { ServiceURL = "http://127.0.0.1:1/", AuthenticationRegion = "us-east-1", MaxErrorRetry = 0, Timeout = TimeSpan.FromSeconds(2) });

    /// <summary>The signing secret as the template stores it: an SSM SecureString parameter in moto.</summary>
    public static async Task<SsmSecureStringSecret> SecretInSsmAsync(MotoServer moto, string value = Secret)
    {
        var name = "/queueing/test/" + Guid.NewGuid().ToString("N")[..8];
        var ssm = moto.CreateSsm();
        await ssm.PutParameterAsync(new PutParameterRequest { Name = name, Value = value, Type = ParameterType.SecureString });
        return new SsmSecureStringSecret(ssm, name);
    }

    public static IotDataPublisher Publisher(Uri endpoint, TimeProvider time, TimeSpan? timeout = null) =>
        new(endpoint, new BasicAWSCredentials(MotoServer.AccessKey, MotoServer.SecretKey), RegionEndpoint.USEast1, timeout ?? TimeSpan.FromSeconds(5), time);

    public static CommandPublisherFunction PublisherFunction(
        IotDataPublisher publisher,
        IAmazonSQS sqs,
        string deadLetterQueueUrl,
        string statusQueueUrl,
        int maxReceiveCount,
        TimeProvider time,
        CommandTopicTemplate? topics = null,
        Microsoft.Extensions.Logging.ILogger? statusLogger = null) =>
        new(publisher,
            topics ?? Topics,
            new DeadLetterParker(sqs, deadLetterQueueUrl, "CommandPublisherFunction", NullLogger.Instance),
            new CommandStatusSender(sqs, statusQueueUrl, statusLogger ?? NullLogger.Instance),
            maxReceiveCount,
            time,
            NullLogger.Instance);

    public static FakeTimeProvider Clock() => new(Start);

    /// <summary>As the runtime loop does: the request's JSON bytes through a context that runs the function and then
    /// flushes the invocation's metrics (to <paramref name="output"/>, nowhere by default).</summary>
    public static async Task<HttpApiResponse> InvokeAsync(this CommandApiFunction api, HttpApiRequest request, TimeProvider time, JsonLogWriter? output = null, string? traceId = null)
    {
        var context = Invocations.Context(time, output: output, traceId: traceId);
        var response = await context.InvokeAsync(api, JsonSerializer.SerializeToUtf8Bytes(request, SharedJsonContext.Default.HttpApiRequest), CancellationToken.None);
        return JsonSerializer.Deserialize(response, SharedJsonContext.Default.HttpApiResponse)!;
    }

    /// <summary>Lambda's event source mapping on the command queue, invoking <paramref name="function"/> on <paramref name="time"/>'s clock.</summary>
    public static FakeSqsEventSource EventSource(IAmazonSQS sqs, CommandQueues queues, CommandPublisherFunction function, TimeProvider time) =>
        new(sqs, queues.QueueUrl, queues.QueueArn, function, time) { InvocationTimeout = TimeSpan.FromMinutes(5) };
}
