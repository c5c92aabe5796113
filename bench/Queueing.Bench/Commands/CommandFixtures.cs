using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Queueing.Actuate.Api;
using Queueing.Actuate.Commands;
using Queueing.Actuate.Publisher;
using Queueing.Contracts.Commands;
using Queueing.Contracts.Events;
using Queueing.Contracts.Json;
using Queueing.Contracts.Time;
using Queueing.Shared.Logging;
using Queueing.Shared.Runtime;

namespace Queueing.Bench.Commands;

/// <summary>
/// The command path's inputs as AWS hands them over: a signed <c>POST /commands</c> in an HTTP API (payload 2.0)
/// event, and <c>CommandQueue.fifo</c> records as the SQS event source mapping delivers them.
/// </summary>
internal static class CommandFixtures
{
    public const string Secret = "bench-signing-secret-of-32-bytes-at-least";
    public const string TopicTemplate = "devices/{deviceId}/commands";
    public const string QueueUrl = "https://sqs.us-east-1.amazonaws.com/123456789012/CommandQueue.fifo";
    public static readonly DateTimeOffset SignedAt = DateTimeOffset.FromUnixTimeSeconds(1_764_288_000);

    /// <summary>The body of the light-threshold rule's "light on" command, as the queueingCommand plug sends it.</summary>
    public const string Body = "{\"deviceId\":\"lamp-0042\",\"payload\":{\"lightStatus\":\"on\"},\"ttlSeconds\":60}";

    public static readonly CommandTopicTemplate Template = CommandTopicTemplate.TryCreate(TopicTemplate, out var template, out var problems)
        ? template!
        : throw new InvalidOperationException(string.Join(", ", problems));

    public static CommandApiSettings ApiSettings() => new(new Uri(QueueUrl), "/queueing/command-signing-secret", Template, 300, 3600, ReplayWindow.Default);

    /// <summary>Log lines are formatted as in Lambda but written to <see cref="Stream.Null"/> (no stdout syscall).</summary>
    public static JsonLoggerFactory Loggers(TimeProvider time) => new(new JsonLogWriter(Stream.Null), LogLevel.Information, time);

    /// <summary>The command API as <see cref="CommandApiFunctionFactory"/> builds it, over the given SQS client.</summary>
    public static CommandApiFunction Api(Amazon.SQS.IAmazonSQS sqs, TimeProvider time)
    {
        var loggers = Loggers(time);
        return new CommandApiFunction(
            ApiSettings(),
            new SignatureVerifier(new SigningSecret(new FixedSigningSecret(Secret), "/queueing/bench", time), ReplayWindow.Default, time),
            new CommandQueueWriter(sqs, QueueUrl),
            time,
            loggers.CreateLogger("Queueing.Actuate.CommandApi"));
    }

    /// <summary>A signed request with the headers API Gateway passes on (lower-cased, as on AWS).</summary>
    public static HttpApiRequest SignedPost(string body, DateTimeOffset signedAt)
    {
        var timestamp = signedAt.ToUnixTimeSeconds();
        return new HttpApiRequest
        {
            Version = "2.0",
            RouteKey = "POST /commands",
            RawPath = "/commands",
            RawQueryString = "",
            Headers = new Dictionary<string, string>
            {
                ["accept"] = "*/*",
                ["content-length"] = System.Text.Encoding.UTF8.GetByteCount(body).ToString(CultureInfo.InvariantCulture),
                ["content-type"] = "application/json",
                ["host"] = "abc123defg.execute-api.us-east-1.amazonaws.com",
                ["user-agent"] = "waylay-webscript/1.0",
                ["x-amzn-trace-id"] = "Root=1-6928e500-0123456789abcdef01234567",
                ["x-forwarded-for"] = "198.51.100.7",
                ["x-forwarded-port"] = "443",
                ["x-forwarded-proto"] = "https",
                ["x-queueing-timestamp"] = timestamp.ToString(CultureInfo.InvariantCulture),
                ["x-queueing-signature"] = CommandSignature.Sign(Secret, timestamp, "/commands", null, body),
            },
            RequestContext = new HttpApiRequestContext
            {
                AccountId = "123456789012",
                ApiId = "abc123defg",
                DomainName = "abc123defg.execute-api.us-east-1.amazonaws.com",
                DomainPrefix = "abc123defg",
                Http = new HttpApiHttpDescription { Method = "POST", Path = "/commands", Protocol = "HTTP/1.1", SourceIp = "198.51.100.7", UserAgent = "waylay-webscript/1.0" },
                RequestId = "U2FsdGVkX1Abc=",
                RouteKey = "POST /commands",
                Stage = "$default",
                Time = "28/Nov/2025:00:00:00 +0000",
                TimeEpoch = signedAt.ToUnixTimeMilliseconds(),
            },
            Body = body,
            IsBase64Encoded = false,
        };
    }

    public static byte[] EventBytes(HttpApiRequest request) => JsonSerializer.SerializeToUtf8Bytes(request, SharedJsonContext.Default.HttpApiRequest);

    public static byte[] EventBytes(SqsEvent sqsEvent) => JsonSerializer.SerializeToUtf8Bytes(sqsEvent, SharedJsonContext.Default.SqsEvent);

    public static InvocationContext Context(TimeProvider time, string functionName) => new(
        new Invocation(Guid.NewGuid().ToString(), time.GetUtcNow().AddMinutes(5), "arn:aws:lambda:us-east-1:123456789012:function:" + functionName, null, null, null, ReadOnlyMemory<byte>.Empty),
        functionName,
        time,
        new JsonLogWriter(Stream.Null));

    /// <summary>A command as the API enqueues it; <paramref name="payloadJson"/> is what the device receives.</summary>
    public static Command Command(string deviceId, string payloadJson, DateTimeOffset acceptedAt, int ttlSeconds, string deduplicationId) => new(
        CommandIdentity.CommandId(deviceId, deduplicationId),
        deviceId,
        Template.TopicFor(deviceId),
        1,
        payloadJson,
        acceptedAt,
        acceptedAt.AddSeconds(ttlSeconds));

    /// <summary>A <c>CommandQueue.fifo</c> record as the event source mapping delivers it (group = device);
    /// <paramref name="index"/> orders its sequence number.</summary>
    public static SqsMessage Record(Command command, int index) => new()
    {
        MessageId = Guid.NewGuid().ToString("D"),
        ReceiptHandle = "AQEB" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"),
        Body = CommandMessage.Serialize(command),
        Md5OfBody = "0123456789abcdef0123456789abcdef",
        Md5OfMessageAttributes = "fedcba9876543210fedcba9876543210",
        EventSource = "aws:sqs",
        EventSourceArn = "arn:aws:sqs:us-east-1:123456789012:CommandQueue.fifo",
        AwsRegion = "us-east-1",
        Attributes = new Dictionary<string, string>
        {
            [SqsAttributeNames.ApproximateReceiveCount] = "1",
            [SqsAttributeNames.SentTimestamp] = command.AcceptedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            [SqsAttributeNames.SenderId] = "AROAEXAMPLE:CommandApiFunction",
            [SqsAttributeNames.ApproximateFirstReceiveTimestamp] = (command.AcceptedAt.ToUnixTimeMilliseconds() + 20).ToString(CultureInfo.InvariantCulture),
            [SqsAttributeNames.MessageGroupId] = command.DeviceId,
            [SqsAttributeNames.MessageDeduplicationId] = Guid.NewGuid().ToString("N"),
            // SQS FIFO sequence numbers are 20-digit strings, increasing within a group.
            [SqsAttributeNames.SequenceNumber] = "1884949646046" + index.ToString("D7", CultureInfo.InvariantCulture),
        },
        MessageAttributes = new Dictionary<string, SqsMessageAttribute>
        {
            [CommandAttributes.CommandId] = new() { DataType = "String", StringValue = command.CommandId },
            [CommandAttributes.AcceptedAt] = new() { DataType = "String", StringValue = IsoTime.Format(command.AcceptedAt) },
            [CommandAttributes.ExpiresAt] = new() { DataType = "String", StringValue = IsoTime.Format(command.ExpiresAt) },
        },
    };

    public static IotDataPublisher Publisher(Uri endpoint, TimeProvider time, HttpMessageHandler? transport) => new(
        endpoint,
        new Amazon.Runtime.BasicAWSCredentials("AKIDBENCHEXAMPLE", "bench-secret-access-key"),
        Amazon.RegionEndpoint.USEast1,
        TimeSpan.FromSeconds(5),
        time,
        transport);

    /// <summary>The publisher as <see cref="CommandPublisherFunctionFactory"/> builds it; its DLQ is unreachable, so a run
    /// that parks anything shows up as failures rather than passing quietly. Its status messages are confirmed at once
    /// (<see cref="InstantBatchSqsClient"/>).</summary>
    public static CommandPublisherFunction PublisherFunction(IotDataPublisher publisher, TimeProvider time)
    {
        var loggers = Loggers(time);
        var deadLetters = new Amazon.SQS.AmazonSQSClient(
            new Amazon.Runtime.BasicAWSCredentials("bench", "bench"),
            new Amazon.SQS.AmazonSQSConfig { ServiceURL = "http://127.0.0.1:1/", AuthenticationRegion = "us-east-1", MaxErrorRetry = 0, Timeout = TimeSpan.FromSeconds(1) });
        return new CommandPublisherFunction(
            publisher,
            Template,
            new Queueing.Shared.DeadLetters.DeadLetterParker(deadLetters, "http://127.0.0.1:1/123456789012/CommandDLQ.fifo", "CommandPublisherFunction", loggers.CreateLogger("Queueing.DeadLetters")),
            new CommandStatusSender(new InstantBatchSqsClient(), "https://sqs.us-east-1.amazonaws.com/123456789012/IngestQueue", loggers.CreateLogger("Queueing.Actuate.CommandStatus")),
            5,
            time,
            loggers.CreateLogger("Queueing.Actuate.CommandPublisher"));
    }
}
