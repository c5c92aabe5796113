using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.SQS;
using Queueing.Actuate.Tests.TestSupport;
using Queueing.Testing;

namespace Queueing.Actuate.Tests.Waylay;

/// <summary>
/// waylay/webscripts/send-command.js run under Node.js against the command API served over loopback HTTP:
/// one signing scheme, proved from both sides. The input is what the template's actuators send.
/// </summary>
public sealed class WebscriptTests : IClassFixture<MotoServer>, IAsyncLifetime
{
    private readonly AmazonSQSClient _sqs;
    private CommandQueues _queues = null!;
    private HttpApiGateway _gateway = null!;

    public WebscriptTests(MotoServer moto) => _sqs = moto.CreateSqs();

    public async Task InitializeAsync()
    {
        _queues = await CommandQueues.CreateAsync(_sqs);
        // The webscript signs with the wall clock, so the API checks against it too.
        var api = Harness.Api(_sqs, _queues.QueueUrl, new FakeSecret(Harness.Secret), TimeProvider.System);
        _gateway = await HttpApiGateway.StartAsync(api, TimeProvider.System);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    /// <summary>The properties of the template's actuator <paramref name="label"/>, as it would post them for lamp-1.</summary>
    private static JsonObject ActuatorCall(string label)
    {
        var template = JsonNode.Parse(File.ReadAllText(RepositoryRoot.File("waylay", "templates", "light-threshold.json")))!;
        var actuator = template["actuators"]!.AsArray().Single(a => (string?)a!["label"] == label)!;
        var properties = actuator["properties"]!.DeepClone().AsObject();
        properties["deviceId"] = ((string?)properties["deviceId"])!.Replace("{{RESOURCE}}", "lamp-1", StringComparison.Ordinal);
        properties.Remove("url");
        return properties;
    }

    private async Task<(int Status, string? ContentType, string Body)> RunAsync(JsonObject body, string? secret = Harness.Secret, string? apiUrl = null)
    {
        var start = new ProcessStartInfo("node", [RepositoryRoot.File("waylay", "test", "run-webscript.mjs"), RepositoryRoot.File("waylay", "webscripts", "send-command.js")])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["COMMAND_API_URL"] = apiUrl ?? _gateway.CommandsUrl.ToString();
        if (secret is not null)
        {
            start.Environment["COMMAND_SIGNING_SECRET"] = secret;
        }
        else
        {
            start.Environment.Remove("COMMAND_SIGNING_SECRET");
        }

        using var node = Process.Start(start) ?? throw new InvalidOperationException("node did not start (Node.js 20 must be on PATH).");
        await node.StandardInput.WriteAsync(new JsonObject { ["body"] = body.DeepClone() }.ToJsonString());
        node.StandardInput.Close();
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await node.WaitForExitAsync(timeout.Token);
        Assert.True(node.ExitCode == 0, $"node exited with {node.ExitCode}: {await stderr}");

        using var answer = JsonDocument.Parse(await stdout);
        var headers = answer.RootElement.GetProperty("headers");
        return (
            answer.RootElement.GetProperty("status").GetInt32(),
            headers.TryGetProperty("content-type", out var type) ? type.GetString() : null,
            answer.RootElement.GetProperty("body").GetString()!);
    }

    [Theory]
    [InlineData("lightOff", "off")]
    [InlineData("lightOn", "on")]
    public async Task Webscript_TemplateActuatorCall_SignatureAcceptedAndCommandEnqueued(string actuator, string status)
    {
        var (code, contentType, body) = await RunAsync(ActuatorCall(actuator));

        Assert.True(code == 202, body);
        Assert.Equal("application/json", contentType);
        using var answer = JsonDocument.Parse(body);
        Assert.Equal("devices/lamp-1/commands", answer.RootElement.GetProperty("topic").GetString());
        var message = Assert.Single(await CommandQueues.PeekAllAsync(_sqs, _queues.QueueUrl));
        using var command = JsonDocument.Parse(message.Body);
        Assert.Equal(answer.RootElement.GetProperty("commandId").GetString(), command.RootElement.GetProperty("commandId").GetString());
        Assert.Equal($$"""{"lightStatus":"{{status}}"}""", command.RootElement.GetProperty("payload").GetRawText());
        var ttl = DateTimeOffset.Parse(command.RootElement.GetProperty("expiresAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            - DateTimeOffset.Parse(command.RootElement.GetProperty("acceptedAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.FromSeconds(60), ttl);
    }

    [Fact]
    public async Task Webscript_WrongSecret_AnswersTheApis401AndNothingIsEnqueued()
    {
        var (code, contentType, body) = await RunAsync(ActuatorCall("lightOn"), secret: "not-the-shared-secret");

        Assert.Equal(401, code);
        Assert.Equal("application/problem+json", contentType);
        Assert.Contains("does not match", body);
        Assert.Equal(0, await CommandQueues.CountAsync(_sqs, _queues.QueueUrl));
    }

    [Fact]
    public async Task Webscript_CommandTheApiRefuses_PassesTheProblemThrough()
    {
        var call = ActuatorCall("lightOn");
        call["ttlSeconds"] = "99999999";

        var (code, _, body) = await RunAsync(call);

        Assert.Equal(400, code);
        Assert.Contains("#/ttlSeconds", body);
        Assert.Contains("urn:queueing:problem:invalid-command", body);
    }

    [Theory]
    [InlineData("lamp/1")]
    [InlineData("lamp-1/../lamp-2")]
    [InlineData("$aws")]
    [InlineData("lamp 1")]
    public async Task Webscript_DeviceIdOutsideTheThingNameAlphabet_RefusedBeforeSigning(string deviceId)
    {
        var call = ActuatorCall("lightOn");
        call["deviceId"] = deviceId;

        // An API URL that nothing listens on: a request sent there would answer 502, not 400.
        var (code, _, body) = await RunAsync(call, apiUrl: "http://127.0.0.1:1/commands");

        Assert.Equal(400, code);
        Assert.Contains("thing name", body);
        Assert.Contains("urn:queueing:problem:webscript", body);
    }

    [Fact]
    public async Task Webscript_CommandApiUnreachable_Answers502WithoutRepeatingItsConfiguration()
    {
        const string url = "http://127.0.0.1:1/commands?token=configured-secret-token";

        var (code, contentType, body) = await RunAsync(ActuatorCall("lightOn"), apiUrl: url);

        Assert.Equal(502, code);
        Assert.Equal("application/problem+json", contentType);
        Assert.Contains("unreachable", body);
        Assert.DoesNotContain("127.0.0.1", body);
        Assert.DoesNotContain("configured-secret-token", body);
        Assert.DoesNotContain(Harness.Secret, body);
    }

    [Fact]
    public async Task Webscript_IdempotencyKey_ForwardedSoARetryIsEnqueuedOnce()
    {
        var call = ActuatorCall("lightOn");
        call["idempotencyKey"] = "task-42:1764288000";

        var first = await RunAsync(call);
        var retry = await RunAsync(call);

        Assert.Equal(202, first.Status);
        Assert.Equal(202, retry.Status);
        Assert.Equal(JsonDocument.Parse(first.Body).RootElement.GetProperty("commandId").GetString(), JsonDocument.Parse(retry.Body).RootElement.GetProperty("commandId").GetString());
        Assert.Single(await CommandQueues.PeekAllAsync(_sqs, _queues.QueueUrl));
    }

    [Fact]
    public async Task Webscript_NotConfigured_Answers500()
    {
        var (code, _, body) = await RunAsync(ActuatorCall("lightOn"), secret: null);

        Assert.Equal(500, code);
        Assert.Contains("COMMAND_SIGNING_SECRET", body);
    }

    [Fact]
    public async Task Webscript_PayloadStringNotJson_Answers400()
    {
        var call = ActuatorCall("lightOn");
        call["payload"] = "{lightStatus: on}";

        var (code, _, body) = await RunAsync(call);

        Assert.Equal(400, code);
        Assert.Contains("not JSON text", body);
    }
}
