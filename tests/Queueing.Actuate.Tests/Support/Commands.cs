using Queueing.Actuate.Commands;
using Queueing.Contracts.Events;

namespace Queueing.Actuate.Tests.Support;

/// <summary>Commands and the SQS records that carry them, built in C# so they follow the types.</summary>
internal static class TestCommands
{
    public static Command For(string deviceId, string payloadJson, DateTimeOffset acceptedAt, int ttlSeconds = 300, int qos = 1) => new(
        Guid.NewGuid().ToString("D"),
        deviceId,
        $"devices/{deviceId}/commands",
        qos,
        payloadJson,
        acceptedAt,
        acceptedAt.AddSeconds(ttlSeconds));

    public static SqsMessage Record(Command command, int receiveCount = 1) => Record(CommandMessage.Serialize(command), command.DeviceId, receiveCount, command.CommandId);

    public static SqsMessage Record(string body, string groupId = "lamp-1", int receiveCount = 1, string? commandId = null) => new()
    {
        MessageId = Guid.NewGuid().ToString("D"),
        ReceiptHandle = "handle-" + Guid.NewGuid().ToString("N"),
        Body = body,
        EventSource = "aws:sqs",
        EventSourceArn = "arn:aws:sqs:us-east-1:123456789012:CommandQueue.fifo",
        AwsRegion = "us-east-1",
        Attributes = new Dictionary<string, string>
        {
            ["ApproximateReceiveCount"] = receiveCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SentTimestamp"] = "1764288000000",
            ["ApproximateFirstReceiveTimestamp"] = "1764288000100",
            ["MessageGroupId"] = groupId,
            ["MessageDeduplicationId"] = Guid.NewGuid().ToString("N"),
            ["SequenceNumber"] = "18849496460467696128",
        },
        MessageAttributes = commandId is null
            ? []
            : new Dictionary<string, SqsMessageAttribute> { ["Queueing.CommandId"] = new() { DataType = "String", StringValue = commandId } },
    };
}
