using Amazon.Runtime;
using Amazon.SQS;
using Queueing.Redrive.Queues;
using Queueing.Redrive.Sending;

namespace Queueing.Redrive.Tests.Sending;

/// <summary>What a long redrive meets when the caller's credentials expire mid-run: the SDK throws AmazonClientException.</summary>
public sealed class BatchSenderTests : IDisposable
{
    private static readonly SqsQueue Target = new(
        "http://127.0.0.1:1/123456789012/stack-IngestQueue",
        new Dictionary<string, string> { ["QueueArn"] = "arn:aws:sqs:us-east-1:123456789012:stack-IngestQueue" });

    private readonly AmazonSQSClient _sqs = new(
        new ExpiredCredentials(),
        new AmazonSQSConfig { ServiceURL = "http://127.0.0.1:1/", AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

    [Fact]
    public async Task SendAsync_CredentialsExpired_ReportsEveryMessageNotSentWithTheReason()
    {
        var sender = new BatchSender(_sqs, SendRate.Unlimited(TimeProvider.System));
        OutgoingMessage[] messages = [new("a", "{}", [], null, null), new("b", "{}", [], null, null)];

        var outcomes = await sender.SendAsync(Target, messages, CancellationToken.None);

        Assert.Equal(["a", "b"], outcomes.Select(o => o.Key));
        Assert.All(outcomes, o => Assert.False(o.Sent));
        Assert.All(outcomes, o => Assert.Contains("session expired", o.Error, StringComparison.Ordinal));
    }

    public void Dispose() => _sqs.Dispose();

    private sealed class ExpiredCredentials : AWSCredentials
    {
        public override ImmutableCredentials GetCredentials() => throw new AmazonClientException("the SSO session expired");

        public override Task<ImmutableCredentials> GetCredentialsAsync() => throw new AmazonClientException("the SSO session expired");
    }
}
