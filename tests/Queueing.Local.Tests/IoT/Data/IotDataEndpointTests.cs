using System.Net;
using System.Text;
using System.Text.Json;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using Microsoft.Extensions.Time.Testing;
using Queueing.Emulators.IoT.Broker;
using Queueing.Emulators.IoT.Data;

namespace Queueing.Local.Tests.IoT.Data;

/// <summary>
/// The IoT Data endpoint, called the way the command publisher calls IoT Core: an HttpClient signed by AWSSDK.Core's
/// <see cref="SigV4SigningHandler"/> (an independent implementation of SigV4).
/// </summary>
public sealed class IotDataEndpointTests : IAsyncLifetime
{
    private static readonly DateTime Now = new(2025, 11, 28, 0, 0, 0, DateTimeKind.Utc);
    private static readonly BasicAWSCredentials Credentials = new("testing", "testing");

    private readonly FakeTimeProvider _time = new(Now);
    private readonly RecordingSink _sink = new();
    private MqttBroker _broker = null!;
    private IotDataEndpoint _endpoint = null!;
    private MqttTestClient _device = null!;

    public async Task InitializeAsync()
    {
        _broker = new MqttBroker(new MqttBrokerOptions { Policy = QueueingApplication.DevicePolicy }, _time);
        _broker.AddSink(_sink);
        await _broker.StartAsync(CancellationToken.None);
        _endpoint = new IotDataEndpoint(new IotDataEndpointOptions(new SigV4Credentials("testing", "testing"), "us-east-1"), _broker, _time);
        await _endpoint.StartAsync(CancellationToken.None);
        _device = await MqttTestClient.ConnectAsync(_broker.Port, "lamp-1");
        await _device.SubscribeAsync("devices/lamp-1/commands");
    }

    public async Task DisposeAsync()
    {
        await _device.DisposeAsync();
        await _endpoint.DisposeAsync();
        await _broker.DisposeAsync();
    }

    [Theory]
    [InlineData("topics/devices%2Flamp-1%2Fcommands?qos=1")]
    [InlineData("topics/devices/lamp-1/commands?qos=1")]
    public async Task Post_SignedBySdkHandler_PublishesToTheSubscribedDeviceWithUserProperties(string target)
    {
        using var client = SignedClient();
        using var request = Publish(target, """{"lightStatus":"on"}""", UserProperties("""[{"commandId":"c-1"},{"source":"waylay"}]"""));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("OK", answer.RootElement.GetProperty("message").GetString());
        var received = await _device.ReceiveAsync();
        Assert.Equal("devices/lamp-1/commands", received.Topic);
        Assert.Equal("""{"lightStatus":"on"}""", received.Payload);
        Assert.Equal(1, received.Qos);
        Assert.Equal([KeyValuePair.Create("commandId", "c-1"), KeyValuePair.Create("source", "waylay")], received.UserProperties);
        Assert.Null((await _sink.NextAsync()).ClientId);
        Assert.Equal(1, _endpoint.Counters.Published);
    }

    [Fact]
    public async Task Post_WithMessageExpiry_ReachesTheDeviceWithTheMqtt5ExpiryInterval()
    {
        using var client = SignedClient();
        using var request = Publish("topics/devices%2Flamp-1%2Fcommands?qos=1&messageExpiry=45", """{"lightStatus":"off"}""");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = await _device.ReceiveAsync();
        Assert.Equal("""{"lightStatus":"off"}""", received.Payload);
        Assert.Equal(45u, received.MessageExpiryInterval);
    }

    [Fact]
    public async Task Post_SignedWithAnotherSecret_Is403SignatureMismatchAndPublishesNothing()
    {
        using var client = SignedClient(new BasicAWSCredentials("testing", "not-the-secret"));
        using var request = Publish("topics/devices%2Flamp-1%2Fcommands?qos=1", "{}");

        using var response = await client.SendAsync(request);

        await AssertErrorAsync(response, HttpStatusCode.Forbidden, "ForbiddenException", "The request signature we calculated does not match the signature you provided.");
        Assert.Equal(0, _broker.Counters.Published);
        Assert.Equal(1, _endpoint.Counters.Forbidden);
    }

    [Fact]
    public async Task Post_Unsigned_Is403MissingAuthenticationToken()
    {
        using var client = new HttpClient { BaseAddress = _endpoint.BaseAddress };

        using var response = await client.PostAsync("topics/devices%2Flamp-1%2Fcommands", new ByteArrayContent("{}"u8.ToArray()));

        await AssertErrorAsync(response, HttpStatusCode.Forbidden, "ForbiddenException", "Missing Authentication Token");
        Assert.Equal(0, _broker.Counters.Published);
    }

    [Theory]
    [InlineData(-20, "Signature expired: 20251127T234000Z is now earlier than 20251127T234500Z (20251128T000000Z - 15 min.)")]
    [InlineData(20, "Signature not yet current: 20251128T002000Z is still later than 20251128T001500Z (20251128T000000Z + 15 min.)")]
    public async Task Post_SignedOutsideTheFifteenMinuteWindow_Is403(int minutes, string message)
    {
        using var client = SignedClient(signedAt: Now.AddMinutes(minutes));
        using var request = Publish("topics/devices%2Flamp-1%2Fcommands", "{}");

        using var response = await client.SendAsync(request);

        await AssertErrorAsync(response, HttpStatusCode.Forbidden, "ForbiddenException", message);
    }

    [Fact]
    public async Task Post_SignedFourteenMinutesAgo_IsAccepted()
    {
        using var client = SignedClient(signedAt: Now.AddMinutes(-14));
        using var request = Publish("topics/devices%2Flamp-1%2Fcommands", "{}");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("iot", "us-east-1", "Credential should be scoped to correct service: 'iotdata'.")]
    [InlineData("iotdata", "eu-west-1", "Credential should be scoped to a valid region.")]
    public async Task Post_SignedForAnotherServiceOrRegion_Is403(string service, string region, string message)
    {
        using var client = SignedClient(service: service, region: RegionEndpoint.GetBySystemName(region));
        using var request = Publish("topics/devices%2Flamp-1%2Fcommands", "{}");

        using var response = await client.SendAsync(request);

        await AssertErrorAsync(response, HttpStatusCode.Forbidden, "ForbiddenException", message);
    }

    [Fact]
    public async Task Post_BodyChangedAfterSigning_Is403()
    {
        using var client = SignedClient(tamper: true);
        using var request = Publish("topics/devices%2Flamp-1%2Fcommands", """{"lightStatus":"on"}""");

        using var response = await client.SendAsync(request);

        await AssertErrorAsync(response, HttpStatusCode.Forbidden, "ForbiddenException", "The request signature we calculated does not match");
        Assert.Equal(0, _broker.Counters.Published);
    }

    [Theory]
    [InlineData("topics/devices%2F%2B%2Fcommands", null, "wildcard")]
    [InlineData("topics/devices%2F%23", null, "wildcard")]
    [InlineData("topics/%24aws%2Fthings%2Flamp-1%2Fshadow%2Fupdate", null, "reserved by AWS IoT")]
    [InlineData("topics/a%2Fb%2Fc%2Fd%2Fe%2Ff%2Fg%2Fh%2Fi", null, "more than 7 forward slashes")]
    [InlineData("topics/devices%2Flamp-1%2Fcommands?qos=2", null, "qos must be 0 or 1")]
    [InlineData("topics/devices%2Flamp-1%2Fcommands?messageExpiry=soon", null, "messageExpiry must be a whole number of seconds")]
    [InlineData("topics/devices%2Flamp-1%2Fcommands?messageExpiry=-1", null, "messageExpiry must be a whole number of seconds")]
    [InlineData("topics/devices%2Flamp-1%2Fcommands?responseTopic=a", null, "does not emulate responseTopic")]
    [InlineData("topics/devices%2Flamp-1%2Fcommands", "not base64!", "x-amz-mqtt5-user-properties must be base64")]
    [InlineData("topics/devices%2Flamp-1%2Fcommands", "eyJhIjoiYiJ9", "x-amz-mqtt5-user-properties must be base64")]
    [InlineData("topics/", null, "The topic name is empty.")]
    public async Task Post_InvalidPublish_Is400AndPublishesNothing(string target, string? userProperties, string message)
    {
        using var client = SignedClient();
        using var request = Publish(target, "{}", userProperties);

        using var response = await client.SendAsync(request);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "InvalidRequestException", message);
        Assert.Equal(0, _broker.Counters.Published);
    }

    [Fact]
    public async Task Post_PayloadOver128KB_Is413()
    {
        using var client = SignedClient();
        using var request = Publish("topics/devices%2Flamp-1%2Fcommands", new string('x', 128 * 1024 + 1));

        using var response = await client.SendAsync(request);

        await AssertErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "RequestEntityTooLargeException", "exceeds the maximum size");
        Assert.Equal(0, _broker.Counters.Published);
    }

    [Fact]
    public async Task Post_PayloadOfExactly128KB_IsPublished()
    {
        using var client = SignedClient();
        using var request = Publish("topics/devices%2Flamp-1%2Fcommands", new string('x', 128 * 1024));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(128 * 1024, (await _device.ReceiveAsync()).Payload.Length);
    }

    [Fact]
    public async Task Get_OnATopic_Is405()
    {
        using var client = SignedClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "topics/devices%2Flamp-1%2Fcommands");

        using var response = await client.SendAsync(request);

        await AssertErrorAsync(response, HttpStatusCode.MethodNotAllowed, "MethodNotAllowedException", "GET");
    }

    private HttpClient SignedClient(AWSCredentials? credentials = null, DateTime? signedAt = null, string service = IotDataEndpoint.Service, RegionEndpoint? region = null, bool tamper = false)
    {
        HttpMessageHandler inner = tamper ? new TamperingHandler() : new HttpClientHandler();
        var signer = new SigV4SigningHandler(
            new AWSSigV4Parameters
            {
                Credentials = credentials ?? Credentials,
                Region = region ?? RegionEndpoint.USEast1,
                Service = service,
                SignedAt = signedAt ?? Now,
            },
            inner);
        return new HttpClient(signer) { BaseAddress = _endpoint.BaseAddress };
    }

    private static HttpRequestMessage Publish(string target, string payload, string? userPropertiesHeader = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(payload)) };
        if (userPropertiesHeader is not null)
        {
            request.Headers.TryAddWithoutValidation("x-amz-mqtt5-user-properties", userPropertiesHeader);
        }

        return request;
    }

    private static string UserProperties(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json));

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string errorType, string message)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(errorType, response.Headers.GetValues("x-amzn-ErrorType").Single());
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains(message, body.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Replaces the body after the signer has signed it, as a man in the middle would.</summary>
    private sealed class TamperingHandler() : DelegatingHandler(new HttpClientHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Content = new ByteArrayContent("""{"lightStatus":"off"}"""u8.ToArray());
            return base.SendAsync(request, cancellationToken);
        }
    }
}
