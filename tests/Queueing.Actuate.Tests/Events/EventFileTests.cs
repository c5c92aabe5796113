using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Time.Testing;
using Queueing.Actuate.Tests.Support;
using Queueing.Contracts.Commands;
using Queueing.Contracts.Events;
using Queueing.Contracts.Json;
using Queueing.Testing;

namespace Queueing.Actuate.Tests.Events;

/// <summary>The files in events/ (for `sam local invoke` and the local `invoke`) do what docs/commands.md says.</summary>
public sealed class EventFileTests : IClassFixture<MotoServer>
{
    /// <summary>The secret events/command-api-post.json is signed with (docs/commands.md, "Local runs").</summary>
    public const string LocalSecret = "queueing-local-signing-secret-not-for-production";
    private static readonly DateTimeOffset SignedAt = DateTimeOffset.FromUnixTimeSeconds(1764288000);

    private readonly AmazonSQSClient _sqs;

    public EventFileTests(MotoServer moto) => _sqs = moto.CreateSqs();

    private static HttpApiRequest PostEvent() =>
        JsonSerializer.Deserialize(File.ReadAllBytes(RepositoryRoot.File("events", "command-api-post.json")), SharedJsonContext.Default.HttpApiRequest)!;

    private static SqsEvent BatchEvent() =>
        JsonSerializer.Deserialize(File.ReadAllBytes(RepositoryRoot.File("events", "command-publisher-batch.json")), SharedJsonContext.Default.SqsEvent)!;

    [Fact]
    public async Task CommandApiPost_AtItsTimestampWithTheLocalSecret_Accepted()
    {
        var time = new FakeTimeProvider(SignedAt);
        var queues = await CommandQueues.CreateAsync(_sqs);
        var api = Harness.Api(_sqs, queues.QueueUrl, new FakeSecret(LocalSecret), time);

        var response = await api.InvokeAsync(PostEvent(), time);

        Assert.True(response.StatusCode == 202, response.Body);
        Assert.Contains("\"topic\":\"devices/lamp-1/commands\"", response.Body);
    }

    [Fact]
    public async Task CommandApiPost_Now_StaleUntilReSigned()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var queues = await CommandQueues.CreateAsync(_sqs);
        var api = Harness.Api(_sqs, queues.QueueUrl, new FakeSecret(LocalSecret), time);
        var request = PostEvent();

        var stale = await api.InvokeAsync(request, time);
        // What the local invoke does before it hands the event over: a fresh timestamp and its signature.
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        request.Headers!["x-queueing-timestamp"] = now.ToString(System.Globalization.CultureInfo.InvariantCulture);
        request.Headers["x-queueing-signature"] = CommandSignature.Sign(LocalSecret, now, request.RawPath!, null, request.Body!);
        var resigned = await api.InvokeAsync(request, time);

        Assert.Equal(401, stale.StatusCode);
        Assert.Equal(202, resigned.StatusCode);
    }

    [Fact]
    public void CommandApiPost_SignatureIsTheDocumentedWorkedExample()
    {
        var request = PostEvent();
        Assert.Equal("1764288000", request.Headers!["x-queueing-timestamp"]);
        Assert.Equal("v1=229285dc1acdbead01955f9377ab3815d0be8a72b5720ae06e1460319f30b1bb", request.Headers["x-queueing-signature"]);
        Assert.Equal(request.Headers["x-queueing-signature"], CommandSignature.Sign(LocalSecret, 1764288000, request.RawPath!, null, request.Body!));
        var docs = File.ReadAllText(RepositoryRoot.File("docs", "commands.md"));
        Assert.Contains("229285dc1acdbead01955f9377ab3815d0be8a72b5720ae06e1460319f30b1bb", docs);
        Assert.Contains(request.Body!, docs);
    }

    [Fact]
    public async Task CommandPublisherBatch_PublishesTwoAndParksTheExpiredOne()
    {
        await using var iot = await FakeIotData.StartAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var queues = await CommandQueues.CreateAsync(_sqs);
        var publisher = Harness.PublisherFunction(Harness.Publisher(iot.Endpoint, time), _sqs, queues.DeadLetterQueueUrl, queues.StatusQueueUrl, 5, time);

        var response = await publisher.HandleAsync(BatchEvent(), Invocations.Context(time), CancellationToken.None);

        Assert.Empty(response.BatchItemFailures);
        Assert.Equal(
            [("devices/lamp-1/commands", "{\"lightStatus\":\"on\"}"), ("devices/lamp-2/commands", "{\"lightStatus\":\"off\"}")],
            iot.Delivered.Select(d => (d.Topic, d.Payload)));
        var parked = Assert.Single(await CommandQueues.PeekAllAsync(_sqs, queues.DeadLetterQueueUrl));
        Assert.Equal("expired", parked.MessageAttributes["Queueing.Kind"].StringValue);
    }

    [Fact]
    public async Task CommandPublisherBatch_RecordsAreTrueToSqs()
    {
        var queues = await CommandQueues.CreateAsync(_sqs);
        foreach (var record in BatchEvent().Records)
        {
            Assert.Equal(Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(record.Body))), record.Md5OfBody);
            Assert.Equal(record.MessageGroupId, JsonDocument.Parse(record.Body).RootElement.GetProperty("deviceId").GetString());
            Assert.Contains("SequenceNumber", record.Attributes.Keys);
            Assert.Contains("MessageDeduplicationId", record.Attributes.Keys);

            // SQS (here moto) computes the attributes' MD5 for the same attributes: the event's value must agree.
            var sent = await _sqs.SendMessageAsync(new SendMessageRequest
            {
                QueueUrl = queues.QueueUrl,
                MessageBody = record.Body,
                MessageGroupId = record.MessageGroupId,
                MessageDeduplicationId = record.Attributes["MessageDeduplicationId"],
                MessageAttributes = record.MessageAttributes.ToDictionary(a => a.Key, a => new MessageAttributeValue { DataType = a.Value.DataType, StringValue = a.Value.StringValue }),
            });
            Assert.Equal(sent.MD5OfMessageAttributes, record.Md5OfMessageAttributes);
        }
    }
}
