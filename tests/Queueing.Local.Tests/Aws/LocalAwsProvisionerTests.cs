using Amazon.SQS;
using Amazon.SQS.Model;
using Queueing.Local.Tests.Support;
using Queueing.Testing;

namespace Queueing.Local.Tests.Aws;

/// <summary>The queues of the real serverless.template as the local stack creates them in moto.</summary>
public sealed class LocalAwsProvisionerTests(MotoServer moto) : IClassFixture<MotoServer>
{
    [Fact]
    public async Task Provision_RealTemplate_CommandQueuesGetTheHighThroughputFifoAttributes()
    {
        var (model, sqs) = await RealTemplateInMoto.ProvisionAsync(moto, "prov");
        using var _ = sqs;

        foreach (var queue in new[] { "CommandQueue", "CommandDLQ" })
        {
            var attributes = (await sqs.GetQueueAttributesAsync(model.Queues[queue].Url, ["All"])).Attributes;
            Assert.Equal("messageGroup", attributes["DeduplicationScope"]);
            Assert.Equal("perMessageGroupId", attributes["FifoThroughputLimit"]);
        }
    }

    [Fact]
    public async Task Moto_MessageGroupScope_StillDeduplicatesQueueWide()
    {
        // A known difference from SQS, documented in docs/local.md: moto (5.2) stores DeduplicationScope but checks
        // a deduplication id against the whole queue, so locally one id reused in two groups is one message where
        // SQS keeps two. If this starts failing, moto follows SQS now: update docs/local.md.
        using var sqs = moto.CreateSqs();
        var url = (await sqs.CreateQueueAsync(new CreateQueueRequest($"scope-{Guid.NewGuid():N}.fifo")
        {
            Attributes = new Dictionary<string, string>
            {
                ["FifoQueue"] = "true",
                ["DeduplicationScope"] = "messageGroup",
                ["FifoThroughputLimit"] = "perMessageGroupId",
            },
        })).QueueUrl;

        await SendAsync(sqs, url, "lamp-1", "key-1");
        await SendAsync(sqs, url, "lamp-2", "key-1");

        Assert.Equal(1, (await sqs.GetQueueAttributesAsync(url, ["ApproximateNumberOfMessages"])).ApproximateNumberOfMessages);
    }

    private static Task SendAsync(IAmazonSQS sqs, string url, string group, string deduplicationId) =>
        sqs.SendMessageAsync(new SendMessageRequest(url, $$"""{"deviceId":"{{group}}"}""") { MessageGroupId = group, MessageDeduplicationId = deduplicationId });
}
