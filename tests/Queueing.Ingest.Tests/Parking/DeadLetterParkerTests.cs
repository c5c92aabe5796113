using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Queueing.Contracts.DeadLetters;
using Queueing.Ingest.Tests.Support;
using Queueing.Shared.DeadLetters;
using Queueing.Testing;

namespace Queueing.Ingest.Tests.Parking;

/// <summary>Parking as the Ingest function uses it (Shared's DeadLetterParker), against a real SQS on moto.</summary>
public sealed class DeadLetterParkerTests : IClassFixture<MotoServer>
{
    private readonly MotoServer _moto;

    public DeadLetterParkerTests(MotoServer moto) => _moto = moto;

    [Fact]
    public async Task ParkAsync_Record_KeepsBodyAndAttributesAndAddsTheReason()
    {
        using var sqs = _moto.CreateSqs();
        var dlq = (await sqs.CreateQueueAsync("IngestDLQ-" + Guid.NewGuid().ToString("N")[..8])).QueueUrl;
        var record = TestRecords.Record("{\"deviceId\":\"lamp-1\"}", receiveCount: 3, messageId: "m-1");
        record.MessageAttributes["Trace"] = new() { DataType = "String", StringValue = "abc" };
        var parker = new DeadLetterParker(sqs, dlq, "IngestFunction", NullLogger.Instance);

        var result = await parker.ParkAsync([new ParkRequest(WrittenEvents.Read(record), DeadLetterKind.Rejected, "HTTP 400 Bad Request: nope")], CancellationToken.None);

        Assert.Equal(["m-1"], result.Parked);
        var parked = Assert.Single((await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = dlq, MessageAttributeNames = ["All"] })).Messages);
        Assert.Equal(record.Body, parked.Body);
        var attributes = parked.MessageAttributes.ToDictionary(a => a.Key, a => a.Value.StringValue);
        Assert.Equal("rejected", attributes[DeadLetterAttributes.Kind]);
        Assert.Equal("HTTP 400 Bad Request: nope", attributes[DeadLetterAttributes.Error]);
        Assert.Equal(TestRecords.QueueArn, attributes[DeadLetterAttributes.SourceQueue]);
        Assert.Equal("3", attributes[DeadLetterAttributes.ReceiveCount]);
        Assert.Equal("2025-11-28T00:00:00.300Z", attributes[DeadLetterAttributes.FirstReceiveTime]);
        Assert.Equal("IngestFunction", attributes[DeadLetterAttributes.Function]);
        Assert.Equal("abc", attributes["Trace"]);
    }

    [Fact]
    public async Task ParkAsync_SdkCannotSign_RecordsStayFailedInsteadOfThrowing()
    {
        // A client whose credentials cannot be resolved fails before any request: AmazonClientException, not an
        // AmazonSQSException. Parking must report the records as not parked, not throw out of the handler.
        using var sqs = new AmazonSQSClient(new UnresolvableCredentials(), new AmazonSQSConfig { ServiceURL = _moto.Endpoint.ToString(), AuthenticationRegion = MotoServer.Region });
        var parker = new DeadLetterParker(sqs, new Uri(_moto.Endpoint, "123456789012/IngestDLQ").ToString(), "IngestFunction", NullLogger.Instance);

        var result = await parker.ParkAsync([new ParkRequest(WrittenEvents.Read(TestRecords.Record("x", messageId: "m-1")), DeadLetterKind.Malformed, "bad")], CancellationToken.None);

        Assert.Empty(result.Parked);
        Assert.Contains("no credentials", result.Failed["m-1"], StringComparison.Ordinal);
    }

    private sealed class UnresolvableCredentials : AWSCredentials
    {
        public override ImmutableCredentials GetCredentials() => throw new AmazonClientException("no credentials in this test");

        public override Task<ImmutableCredentials> GetCredentialsAsync() => throw new AmazonClientException("no credentials in this test");
    }
}
