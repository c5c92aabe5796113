using System.Net;
using Amazon;
using Amazon.Runtime;
using Queueing.Actuate.Publisher;
using Queueing.Actuate.Tests.Support;
using Queueing.Testing;

namespace Queueing.Actuate.Tests.Publisher;

/// <summary>IoT Data Publish against the stand-in endpoint, which verifies SigV4 independently.</summary>
public sealed class IotDataPublisherTests : IAsyncLifetime
{
    private readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider _time = Harness.Clock();
    private FakeIotData _iot = null!;

    public async Task InitializeAsync() => _iot = await FakeIotData.StartAsync();

    public async Task DisposeAsync() => await _iot.DisposeAsync();

    [Fact]
    public async Task PublishAsync_SignedForIotdata_AcceptedByTheVerifyingEndpoint()
    {
        using var publisher = Harness.Publisher(_iot.Endpoint, _time);

        var outcome = await publisher.PublishAsync(TestCommands.For("lamp-1", "{\"lightStatus\":\"on\"}", _time.GetUtcNow()), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, outcome);
        Assert.Empty(_iot.SignatureFailures);
        Assert.Single(_iot.Delivered);
    }

    [Fact]
    public async Task PublishAsync_OtherCredentials_SignatureRefusedByTheEndpoint()
    {
        using var publisher = new IotDataPublisher(_iot.Endpoint, new BasicAWSCredentials(MotoServer.AccessKey, "another-secret"), RegionEndpoint.USEast1, TimeSpan.FromSeconds(5), _time);

        var outcome = await publisher.PublishAsync(TestCommands.For("lamp-1", "1", _time.GetUtcNow()), CancellationToken.None);

        Assert.Equal("signature mismatch", Assert.Single(_iot.SignatureFailures));
        Assert.Equal(PublishResult.Rejected, outcome.Result);
        Assert.Empty(_iot.Delivered);
    }

    [Fact]
    public async Task PublishAsync_PayloadTopicAndQos_ArriveExactly()
    {
        using var publisher = Harness.Publisher(_iot.Endpoint, _time);
        const string payload = "{ \"lightStatus\" : \"off\",\n \"note\": \"caf\\u00e9 ☕\" }";
        var command = TestCommands.For("site:7_lamp-1", payload, _time.GetUtcNow(), qos: 0);

        await publisher.PublishAsync(command, CancellationToken.None);

        var publish = Assert.Single(_iot.Delivered);
        Assert.Equal("devices/site:7_lamp-1/commands", publish.Topic);
        Assert.Equal(0, publish.Qos);
        Assert.Equal(payload, publish.Payload);
    }

    [Fact]
    public void PublishUri_TopicIsOneEscapedPathSegment()
    {
        using var publisher = Harness.Publisher(new Uri("https://abc123-ats.iot.us-east-1.amazonaws.com"), _time);
        var command = TestCommands.For("lamp:1", "1", _time.GetUtcNow(), ttlSeconds: 90);

        Assert.Equal(
            "https://abc123-ats.iot.us-east-1.amazonaws.com/topics/devices%2Flamp%3A1%2Fcommands?qos=1&messageExpiry=90",
            publisher.PublishUri(command).AbsoluteUri);
    }

    [Fact]
    public async Task PublishAsync_CommandIdAndAcceptedAt_InTheMqtt5UserProperties()
    {
        using var publisher = Harness.Publisher(_iot.Endpoint, _time);
        var command = TestCommands.For("lamp-1", "1", _time.GetUtcNow().AddMilliseconds(1234));

        await publisher.PublishAsync(command, CancellationToken.None);

        // What the device echoes in its acknowledgement (docs/commands.md).
        Assert.Equal(
            [new("commandId", command.CommandId), new("acceptedAt", "2025-11-28T00:00:01.234Z")],
            Assert.Single(_iot.Delivered).UserProperties);
    }

    [Fact]
    public void MqttUserProperties_Encode_IsBase64OfAJsonArrayOfPairs()
    {
        var header = MqttUserProperties.Encode([new("commandId", "c-1"), new("k", "v")]);
        Assert.Equal("""[{"commandId":"c-1"},{"k":"v"}]""", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(header)));
    }

    [Fact]
    public async Task PublishAsync_MessageExpiry_IsTheRemainingLifetime()
    {
        using var publisher = Harness.Publisher(_iot.Endpoint, _time);
        var command = TestCommands.For("lamp-1", "1", _time.GetUtcNow(), ttlSeconds: 300);
        _time.Advance(TimeSpan.FromSeconds(120.5));

        await publisher.PublishAsync(command, CancellationToken.None);

        Assert.Equal(180, Assert.Single(_iot.Delivered).MessageExpiry);
    }

    [Theory]
    [InlineData(400, PublishResult.Rejected)]
    [InlineData(403, PublishResult.Rejected)]
    [InlineData(413, PublishResult.Rejected)]
    [InlineData(401, PublishResult.Transient)]
    [InlineData(404, PublishResult.Transient)]
    [InlineData(429, PublishResult.Transient)]
    [InlineData(500, PublishResult.Transient)]
    [InlineData(503, PublishResult.Transient)]
    public async Task PublishAsync_ErrorAnswer_ClassifiedWithTheAnswerAsReason(int status, PublishResult expected)
    {
        using var publisher = Harness.Publisher(_iot.Endpoint, _time);
        _iot.Script(status);

        var outcome = await publisher.PublishAsync(TestCommands.For("lamp-1", "1", _time.GetUtcNow()), CancellationToken.None);

        Assert.Equal(expected, outcome.Result);
        Assert.StartsWith($"IoT Data Publish answered {status} ", outcome.Reason);
        Assert.Contains("\"message\"", outcome.Reason);
    }

    [Fact]
    public async Task PublishAsync_EndpointUnreachable_Transient()
    {
        using var publisher = Harness.Publisher(new Uri("http://127.0.0.1:1/"), _time);

        var outcome = await publisher.PublishAsync(TestCommands.For("lamp-1", "1", _time.GetUtcNow()), CancellationToken.None);

        Assert.Equal(PublishResult.Transient, outcome.Result);
        Assert.Contains("could not be reached", outcome.Reason);
    }

    [Fact]
    public async Task PublishAsync_EndpointSilent_TransientAfterTheTimeout()
    {
        await using var silent = await LoopbackHttpServer.StartAsync(context => Task.Delay(Timeout.Infinite, context.RequestAborted));
        using var publisher = Harness.Publisher(silent.BaseAddress, _time, timeout: TimeSpan.FromMilliseconds(200));

        var outcome = await publisher.PublishAsync(TestCommands.For("lamp-1", "1", _time.GetUtcNow()), CancellationToken.None);

        Assert.Equal(PublishOutcome.Transient("IoT Data Publish did not answer within 200 ms."), outcome);
    }

    [Fact]
    public async Task PublishAsync_BudgetAlreadySpent_TransientWithoutPublishing()
    {
        using var publisher = Harness.Publisher(_iot.Endpoint, _time);

        var outcome = await publisher.PublishAsync(TestCommands.For("lamp-1", "1", _time.GetUtcNow()), new CancellationToken(canceled: true));

        Assert.Equal(PublishResult.Transient, outcome.Result);
        Assert.Contains("time budget", outcome.Reason);
        Assert.Empty(_iot.Attempts);
    }

    [Fact]
    public void Classify_SuccessAnswer_Published()
    {
        Assert.Equal(PublishOutcome.Published, IotDataPublisher.Classify(HttpStatusCode.OK, ""));
    }
}
