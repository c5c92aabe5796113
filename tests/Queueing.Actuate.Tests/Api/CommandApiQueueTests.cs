using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amazon.SQS;
using Microsoft.Extensions.Time.Testing;
using Queueing.Actuate.Api;
using Queueing.Actuate.Tests.Support;
using Queueing.Contracts.Events;
using Queueing.Shared.Secrets;
using Queueing.Testing;

namespace Queueing.Actuate.Tests.Api;

/// <summary>The command API against a real FIFO queue and SSM parameter in moto_server.</summary>
public sealed class CommandApiQueueTests : IClassFixture<MotoServer>
{
    private const string Body = """{"deviceId":"lamp-1","payload":{"lightStatus":"on"}}""";
    private readonly MotoServer _moto;
    private readonly AmazonSQSClient _sqs;
    private readonly FakeTimeProvider _time = Harness.Clock();

    public CommandApiQueueTests(MotoServer moto)
    {
        _moto = moto;
        _sqs = moto.CreateSqs();
    }

    private async Task<(CommandApiFunction Api, CommandQueues Queues)> ApiAsync(ISecret? secret = null)
    {
        var queues = await CommandQueues.CreateAsync(_sqs);
        return (Harness.Api(_sqs, queues.QueueUrl, secret ?? await Harness.SecretInSsmAsync(_moto), _time), queues);
    }

    [Fact]
    public async Task HandleAsync_ValidCommand_Answers202AndEnqueuesTheContractMessage()
    {
        var (api, queues) = await ApiAsync();
        var signedAt = _time.GetUtcNow().ToUnixTimeSeconds();

        var response = await api.InvokeAsync(SignedRequests.Post(Body, Harness.Secret, signedAt), _time);

        Assert.Equal(202, response.StatusCode);
        Assert.Equal("application/json", response.Headers!["Content-Type"]);
        using var answer = JsonDocument.Parse(response.Body!);
        var commandId = answer.RootElement.GetProperty("commandId").GetString()!;
        Assert.Equal(["commandId", "deviceId", "topic", "expiresAt"], answer.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("lamp-1", answer.RootElement.GetProperty("deviceId").GetString());
        Assert.Equal("devices/lamp-1/commands", answer.RootElement.GetProperty("topic").GetString());
        Assert.Equal("2025-11-28T00:05:00.000Z", answer.RootElement.GetProperty("expiresAt").GetString());

        var message = Assert.Single(await CommandQueues.PeekAllAsync(_sqs, queues.QueueUrl));
        Assert.Equal(
            $$"""{"commandId":"{{commandId}}","deviceId":"lamp-1","topic":"devices/lamp-1/commands","qos":1,"payload":{"lightStatus":"on"},"acceptedAt":"2025-11-28T00:00:00.000Z","expiresAt":"2025-11-28T00:05:00.000Z"}""",
            message.Body);
        Assert.Equal("lamp-1", message.Attributes["MessageGroupId"]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"signed\n{signedAt}\nPOST\n/commands\n\n{Body}"))), message.Attributes["MessageDeduplicationId"]);
        Assert.Equal(commandId, message.MessageAttributes["Queueing.CommandId"].StringValue);
        Assert.Equal("2025-11-28T00:00:00.000Z", message.MessageAttributes["Queueing.AcceptedAt"].StringValue);
        Assert.Equal("2025-11-28T00:05:00.000Z", message.MessageAttributes["Queueing.ExpiresAt"].StringValue);
    }

    [Fact]
    public async Task HandleAsync_InvocationHasATrace_TheMessageCarriesItAsAWSTraceHeader()
    {
        const string Trace = "Root=1-692f8c00-0123456789abcdef01234567;Parent=89abcdef01234567;Sampled=1";
        var (api, queues) = await ApiAsync();

        var traced = await api.InvokeAsync(SignedRequests.Post(Body, Harness.Secret, _time.GetUtcNow().ToUnixTimeSeconds()), _time, traceId: Trace);
        var untraced = await api.InvokeAsync(SignedRequests.Post(Body.Replace("lamp-1", "lamp-2", StringComparison.Ordinal), Harness.Secret, _time.GetUtcNow().ToUnixTimeSeconds()), _time);

        Assert.Equal((202, 202), (traced.StatusCode, untraced.StatusCode));
        var messages = await CommandQueues.PeekAllAsync(_sqs, queues.QueueUrl);
        Assert.Equal(Trace, messages.Single(m => m.Attributes["MessageGroupId"] == "lamp-1").Attributes[SqsAttributeNames.AwsTraceHeader]);
        Assert.False(messages.Single(m => m.Attributes["MessageGroupId"] == "lamp-2").Attributes.ContainsKey(SqsAttributeNames.AwsTraceHeader));
    }

    [Fact]
    public async Task HandleAsync_TtlAndQosGiven_CarriedIntoTheMessage()
    {
        var (api, queues) = await ApiAsync();

        var response = await api.InvokeAsync(SignedRequests.Post("""{"deviceId":"lamp-1","payload":"off","ttlSeconds":60,"qos":0}""", Harness.Secret, _time.GetUtcNow()), _time);

        Assert.Equal(202, response.StatusCode);
        var message = Assert.Single(await CommandQueues.PeekAllAsync(_sqs, queues.QueueUrl));
        using var body = JsonDocument.Parse(message.Body);
        Assert.Equal(0, body.RootElement.GetProperty("qos").GetInt32());
        Assert.Equal("off", body.RootElement.GetProperty("payload").GetString());
        Assert.Equal("2025-11-28T00:01:00.000Z", body.RootElement.GetProperty("expiresAt").GetString());
    }

    [Fact]
    public async Task HandleAsync_SameIdempotencyKeyTwice_SameCommandIdAndEnqueuedOnce()
    {
        var (api, queues) = await ApiAsync();

        var first = await api.InvokeAsync(SignedRequests.Post(Body, Harness.Secret, _time.GetUtcNow(), idempotencyKey: "rule-7:evt-1"), _time);
        _time.Advance(TimeSpan.FromSeconds(20));
        var retry = await api.InvokeAsync(SignedRequests.Post(Body, Harness.Secret, _time.GetUtcNow(), idempotencyKey: "rule-7:evt-1"), _time);

        Assert.Equal(202, first.StatusCode);
        Assert.Equal(202, retry.StatusCode);
        Assert.Equal(CommandId(first), CommandId(retry));
        var message = Assert.Single(await CommandQueues.PeekAllAsync(_sqs, queues.QueueUrl));
        // Derived from the device, the key and the body: never the caller's key as it stands.
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"key\nlamp-1\nrule-7:evt-1\n{Body}"))), message.Attributes["MessageDeduplicationId"]);
    }

    [Fact]
    public async Task HandleAsync_SameSignedRequestRetried_EnqueuedOnce()
    {
        var (api, queues) = await ApiAsync();
        var request = SignedRequests.Post(Body, Harness.Secret, _time.GetUtcNow());

        var first = await api.InvokeAsync(request, _time);
        var retry = await api.InvokeAsync(request, _time);

        Assert.Equal(CommandId(first), CommandId(retry));
        Assert.Single(await CommandQueues.PeekAllAsync(_sqs, queues.QueueUrl));
    }

    [Fact]
    public async Task HandleAsync_SameBodySignedAgainLater_IsANewCommand()
    {
        var (api, queues) = await ApiAsync();

        var first = await api.InvokeAsync(SignedRequests.Post(Body, Harness.Secret, _time.GetUtcNow()), _time);
        _time.Advance(TimeSpan.FromSeconds(1));
        var second = await api.InvokeAsync(SignedRequests.Post(Body, Harness.Secret, _time.GetUtcNow()), _time);

        Assert.NotEqual(CommandId(first), CommandId(second));
        Assert.Equal(2, (await CommandQueues.PeekAllAsync(_sqs, queues.QueueUrl)).Count);
    }

    [Fact]
    public async Task HandleAsync_Base64EncodedBody_Accepted()
    {
        var (api, queues) = await ApiAsync();
        var request = SignedRequests.Post(Body, Harness.Secret, _time.GetUtcNow());
        request.Body = Convert.ToBase64String(Encoding.UTF8.GetBytes(Body));
        request.IsBase64Encoded = true;

        Assert.Equal(202, (await api.InvokeAsync(request, _time)).StatusCode);
        Assert.Contains("\"payload\":{\"lightStatus\":\"on\"}", Assert.Single(await CommandQueues.PeekAllAsync(_sqs, queues.QueueUrl)).Body);
    }

    [Fact]
    public async Task HandleAsync_RefusedRequests_EnqueueNothing()
    {
        var (api, queues) = await ApiAsync();
        HttpApiRequest[] refused =
        [
            SignedRequests.Unsigned("POST", "/commands", Body),
            SignedRequests.Post(Body, "wrong", _time.GetUtcNow()),
            SignedRequests.Post("""{"deviceId":"a/b","payload":1}""", Harness.Secret, _time.GetUtcNow()),
            SignedRequests.Post("""{"deviceId":"lamp-1"}""", Harness.Secret, _time.GetUtcNow()),
        ];

        foreach (var request in refused)
        {
            Assert.InRange((await api.InvokeAsync(request, _time)).StatusCode, 400, 499);
        }

        Assert.Equal(0, await CommandQueues.CountAsync(_sqs, queues.QueueUrl));
    }

    [Fact]
    public async Task HandleAsync_SigningSecretParameterMissing_Answers500()
    {
        var (api, queues) = await ApiAsync(new SsmSecureStringSecret(_moto.CreateSsm(), "/queueing/does-not-exist"));

        var response = await api.InvokeAsync(SignedRequests.Post(Body, Harness.Secret, _time.GetUtcNow()), _time);

        Assert.Contains("signing secret", ProblemAssert.IsProblem(response, 500).GetProperty("detail").GetString());
        Assert.Equal(0, await CommandQueues.CountAsync(_sqs, queues.QueueUrl));
    }

    [Fact]
    public async Task HandleAsync_QueueDoesNotExist_AnswersAProblemAndAcceptsNothing()
    {
        var queueUrl = _moto.Endpoint + "123456789012/missing-" + Guid.NewGuid().ToString("N")[..8] + ".fifo";
        var api = Harness.Api(_sqs, queueUrl, new FakeSecret(Harness.Secret), _time);

        var response = await api.InvokeAsync(SignedRequests.Post(Body, Harness.Secret, _time.GetUtcNow()), _time);

        Assert.Contains("not accepted", ProblemAssert.IsProblem(response, 500).GetProperty("detail").GetString());
    }

    private static string CommandId(HttpApiResponse response)
    {
        Assert.Equal(202, response.StatusCode);
        using var document = JsonDocument.Parse(response.Body!);
        return document.RootElement.GetProperty("commandId").GetString()!;
    }
}
