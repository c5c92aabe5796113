using System.Globalization;
using System.Text;
using Queueing.Contracts.Events;

namespace Queueing.Ingest.Tests.Support;

/// <summary>SQS records as Lambda hands them to the function, built in C# so they follow the model types.</summary>
internal static class TestRecords
{
    public const string QueueArn = "arn:aws:sqs:us-east-1:123456789012:IngestQueue";
    public const long ReceivedAt = 1_764_288_000_123;

    private static int _sequence;

    public static SqsMessage Record(string body, int receiveCount = 1, string? messageId = null) => new()
    {
        MessageId = messageId ?? "msg-" + Interlocked.Increment(ref _sequence).ToString(CultureInfo.InvariantCulture),
        ReceiptHandle = "handle",
        Body = body,
        EventSource = "aws:sqs",
        EventSourceArn = QueueArn,
        AwsRegion = "us-east-1",
        Attributes = new Dictionary<string, string>
        {
            [SqsAttributeNames.ApproximateReceiveCount] = receiveCount.ToString(CultureInfo.InvariantCulture),
            [SqsAttributeNames.SentTimestamp] = "1764288000200",
            [SqsAttributeNames.ApproximateFirstReceiveTimestamp] = "1764288000300",
            [SqsAttributeNames.SenderId] = "AROAEXAMPLE:iot",
        },
    };

    /// <summary>What the topic rule produces: the device's object plus deviceId and receivedAt.</summary>
    public static string Telemetry(string deviceId, long timestamp, string measurements = "\"lightValue\":412") =>
        $"{{{measurements},\"timestamp\":{timestamp.ToString(CultureInfo.InvariantCulture)},\"deviceId\":\"{deviceId}\",\"receivedAt\":{ReceivedAt.ToString(CultureInfo.InvariantCulture)}}}";

    /// <summary>What the main rule produces for an envelope payload: the envelope plus deviceId and receivedAt.</summary>
    public static string Envelope(string topicDeviceId, string payloadDeviceId, string data) =>
        $"{{\"deviceID\":\"{payloadDeviceId}\",\"data\":{data},\"deviceId\":\"{topicDeviceId}\",\"receivedAt\":{ReceivedAt.ToString(CultureInfo.InvariantCulture)}}}";

    /// <summary>What LegacyTelemetryRule produces: the rule's clientId, topic and receivedAt, and the payload in base64.</summary>
    public static string Legacy(string clientId, string payload, string topic = "legacy/telemetry") =>
        $"{{\"clientId\":\"{clientId}\",\"topic\":\"{topic}\",\"receivedAt\":{ReceivedAt.ToString(CultureInfo.InvariantCulture)}," +
        $"\"base64OriginalPayload\":\"{Convert.ToBase64String(Encoding.UTF8.GetBytes(payload))}\"}}";

    public static SqsEvent Event(params SqsMessage[] records) => new() { Records = [.. records] };
}
