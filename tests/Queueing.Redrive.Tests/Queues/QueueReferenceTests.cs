using Queueing.Redrive.Cli;
using Queueing.Redrive.Queues;

namespace Queueing.Redrive.Tests.Queues;

public sealed class QueueReferenceTests
{
    [Fact]
    public void Parse_Name_IsAName()
    {
        var reference = QueueReference.Parse("stack-CommandDLQ.fifo");

        Assert.Equal(QueueReferenceKind.Name, reference.Kind);
        Assert.Equal("stack-CommandDLQ.fifo", reference.Name);
    }

    [Fact]
    public void Parse_Url_TakesNameAndAccountFromThePath()
    {
        var reference = QueueReference.Parse("https://sqs.eu-west-1.amazonaws.com/123456789012/stack-IngestDLQ");

        Assert.Equal(QueueReferenceKind.Url, reference.Kind);
        Assert.Equal("stack-IngestDLQ", reference.Name);
        Assert.Equal("123456789012", reference.AccountId);
    }

    [Fact]
    public void Parse_Arn_TakesRegionAccountAndName()
    {
        var reference = QueueReference.Parse("arn:aws:sqs:eu-west-1:123456789012:stack-IngestDLQ");

        Assert.Equal(QueueReferenceKind.Arn, reference.Kind);
        Assert.Equal(("stack-IngestDLQ", "123456789012", "eu-west-1"), (reference.Name, reference.AccountId, reference.Region));
    }

    [Theory]
    [InlineData("")]
    [InlineData("arn:aws:sns:eu-west-1:123456789012:topic")]
    [InlineData("arn:aws:sqs:eu-west-1")]
    [InlineData("some/path")]
    public void Parse_Nonsense_IsAUsageError(string text) =>
        Assert.Throws<UsageException>(() => QueueReference.Parse(text));

    [Theory]
    [InlineData("{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:1:dlq\",\"maxReceiveCount\":5}", 5)]
    [InlineData("{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:1:dlq\",\"maxReceiveCount\":\"7\"}", 7)]
    public void RedrivePolicy_NumberOrString_IsRead(string json, int expected)
    {
        var policy = QueueRedrivePolicy.Parse(json);

        Assert.Equal(("arn:aws:sqs:us-east-1:1:dlq", expected), (policy!.DeadLetterTargetArn, policy.MaxReceiveCount));
    }
}
