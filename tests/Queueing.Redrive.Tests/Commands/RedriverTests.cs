using Amazon.SQS.Model;
using Queueing.Redrive.Commands.Redrive;
using Queueing.Redrive.Messages;
using Queueing.Redrive.Queues;

namespace Queueing.Redrive.Tests.Commands;

public sealed class RedriverTests
{
    private static SqsQueue Queue(string name) => new($"https://sqs.us-east-1.amazonaws.com/123456789012/{name}", new Dictionary<string, string>
    {
        ["QueueArn"] = $"arn:aws:sqs:us-east-1:123456789012:{name}",
    });

    private static DeadLetter Letter(int redriveCount, string? group) => DeadLetterReader.Read(new Message
    {
        MessageId = "0f7e-id",
        Body = "{\"deviceId\":\"lamp-1\"}",
        Attributes = group is null ? [] : new() { ["MessageGroupId"] = group },
        MessageAttributes = new()
        {
            ["Queueing.RedriveCount"] = new() { DataType = "Number", StringValue = redriveCount.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            ["Bytes"] = new() { DataType = "Binary", BinaryValue = new MemoryStream([1, 2, 3]) },
        },
    });

    [Fact]
    public void ToOutgoing_FifoTarget_KeepsTheGroupAndUsesADeduplicationIdPerRedriveOfThisDlqMessage()
    {
        var outgoing = Redriver.ToOutgoing(Letter(1, "lamp-9"), Queue("CommandQueue.fifo"));

        Assert.Equal("lamp-9", outgoing.GroupId);
        Assert.Equal("redrive-0f7e-id-2", outgoing.DeduplicationId);
        Assert.Equal("2", outgoing.Attributes["Queueing.RedriveCount"].StringValue);
        Assert.Equal([1, 2, 3], outgoing.Attributes["Bytes"].BinaryValue.ToArray());
    }

    [Fact]
    public void ToOutgoing_StandardTarget_HasNoGroupOrDeduplicationId()
    {
        var outgoing = Redriver.ToOutgoing(Letter(0, "lamp-9"), Queue("IngestQueue"));

        Assert.Null(outgoing.GroupId);
        Assert.Null(outgoing.DeduplicationId);
        Assert.Equal("1", outgoing.Attributes["Queueing.RedriveCount"].StringValue);
    }
}
