using System.Text.Json;
using Amazon.SQS.Model;
using Queueing.Local.Aws;
using Queueing.Local.Functions;

namespace Queueing.Local.Tests.Aws;

public sealed class MotoServerProcessTests
{
    [Fact]
    public async Task Start_MessagesSentReceivedAndDeleted_LeaveNothingBehindInMoto()
    {
        // moto's dashboard (/moto-api/data.json) lists every model instance it still holds: as shipped, every SQS
        // message ever sent and the copy made at each receive, kept for the life of the process.
        await using var moto = await MotoServerProcess.StartAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        var access = new LocalAwsAccess(moto.Endpoint, "us-east-1");
        using var sqs = new LocalAwsProvisioner(access, TextWriter.Null).CreateSqs();
        var url = (await sqs.CreateQueueAsync("bounded")).QueueUrl;
        for (var round = 0; round < 3; round++)
        {
            await sqs.SendMessageBatchAsync(url, [.. Enumerable.Range(0, 10).Select(i => new SendMessageBatchRequestEntry($"m{i}", $"{{\"n\":{i}}}"))]);
            var received = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, MaxNumberOfMessages = 10 });
            Assert.Equal(10, received.Messages.Count);
            await sqs.DeleteMessageBatchAsync(url, [.. received.Messages.Select((m, i) => new DeleteMessageBatchRequestEntry($"d{i}", m.ReceiptHandle))]);
        }

        using var http = new HttpClient();
        using var dashboard = JsonDocument.Parse(await http.GetStringAsync(new Uri(moto.Endpoint, "moto-api/data.json")));

        Assert.Equal(0, (await sqs.GetQueueAttributesAsync(url, ["ApproximateNumberOfMessages"])).ApproximateNumberOfMessages);
        var held = dashboard.RootElement.TryGetProperty("sqs", out var sqsModels) && sqsModels.TryGetProperty("Message", out var messages)
            ? messages.GetArrayLength()
            : 0;
        Assert.Equal(0, held);
    }
}
