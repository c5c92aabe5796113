using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.SQS;
using Microsoft.AspNetCore.Http;
using Queueing.Actuate.Tests.Support;
using Queueing.Emulators.Waylay.Plugs;
using Queueing.Emulators.Waylay.Rules;
using Queueing.Testing;

namespace Queueing.Actuate.Tests.Waylay;

/// <summary>
/// waylay/plugins/queueingCommand run under Node.js (by the Waylay sandbox's plug host, with Waylay's plug contract)
/// against the real command API served over loopback HTTP: one signing scheme, proved from both sides. The plug gets
/// the properties of the template's actuators as the rule engine renders them for lamp-1, and its configuration from
/// the vault, as on a tenant.
/// </summary>
public sealed class PlugTests : IClassFixture<MotoServer>, IAsyncLifetime
{
    private static readonly TemplateContext Waylay = TemplateContext.ForWaylayDirectory(RepositoryRoot.File("waylay"));

    private readonly AmazonSQSClient _sqs;
    private CommandQueues _queues = null!;
    private HttpApiGateway _gateway = null!;

    public PlugTests(MotoServer moto) => _sqs = moto.CreateSqs();

    public async Task InitializeAsync()
    {
        _queues = await CommandQueues.CreateAsync(_sqs);
        // The plug signs with the wall clock, so the API checks against it too.
        var api = Harness.Api(_sqs, _queues.QueueUrl, new FakeSecret(Harness.Secret), TimeProvider.System);
        _gateway = await HttpApiGateway.StartAsync(api, TimeProvider.System);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    // The vault keys the plug reads (waylay/plugins/queueingCommand/index.js), written here on purpose rather than
    // taken from the local tool's wiring: the test checks the plug's contract, not our copy of it.
    private const string CommandApiUrlVaultKey = "QUEUEING_COMMAND_API_URL";
    private const string CommandSigningSecretVaultKey = "QUEUEING_COMMAND_SIGNING_SECRET";

    /// <summary>The properties of the template's actuator <paramref name="label"/>, as the rule engine renders them for lamp-1.</summary>
    private static JsonObject ActuatorCall(string label)
    {
        var template = TemplateLoader.Load("light-threshold.json", File.ReadAllText(RepositoryRoot.File("waylay", "templates", "light-threshold.json")), Waylay);
        return template.Actuators.Single(a => a.Label == label).RenderProperties("lamp-1", new Dictionary<string, SensorObservation>());
    }

    private async Task<PlugResult> RunAsync(JsonObject properties, string? secret = Harness.Secret, string? apiUrl = null)
    {
        var vault = new Dictionary<string, string> { [CommandApiUrlVaultKey] = apiUrl ?? _gateway.CommandsUrl.ToString() };
        if (secret is not null)
        {
            vault[CommandSigningSecretVaultKey] = secret;
        }

        await using var host = await PlugHost.StartAsync(new PlugHostOptions { Plugs = Waylay.Plugs, Vault = vault });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await host.ExecuteAsync("queueingCommand", "1.0.0", properties, "lamp-1", timeout.Token);
    }

    [Theory]
    [InlineData("lightOff", "off")]
    [InlineData("lightOn", "on")]
    public async Task Plug_TemplateActuatorCall_SignatureAcceptedAndCommandEnqueued(string actuator, string status)
    {
        var result = await RunAsync(ActuatorCall(actuator));

        Assert.True(result.Result, result.Error);
        Assert.Equal((202, "devices/lamp-1/commands", 1), ((int)result.RawData!["status"]!, (string?)result.RawData["topic"], (int)result.RawData["attempts"]!));
        var message = Assert.Single(await CommandQueues.PeekAllAsync(_sqs, _queues.QueueUrl));
        using var command = JsonDocument.Parse(message.Body);
        Assert.Equal((string?)result.RawData["commandId"], command.RootElement.GetProperty("commandId").GetString());
        Assert.Equal($$"""{"lightStatus":"{{status}}"}""", command.RootElement.GetProperty("payload").GetRawText());
        var ttl = DateTimeOffset.Parse(command.RootElement.GetProperty("expiresAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            - DateTimeOffset.Parse(command.RootElement.GetProperty("acceptedAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.FromSeconds(60), ttl);
    }

    [Fact]
    public async Task Plug_WrongSecretInTheVault_FailsWithTheApis401AndNothingIsEnqueued()
    {
        var result = await RunAsync(ActuatorCall("lightOn"), secret: "not-the-shared-secret-but-as-long-as-one");

        Assert.False(result.Result);
        Assert.Contains("command API answered 401", result.Error);
        Assert.Contains("does not match", result.Error);
        Assert.Equal(0, await CommandQueues.CountAsync(_sqs, _queues.QueueUrl));
    }

    [Fact]
    public async Task Plug_CommandTheApiRefuses_FailsWithTheProblemAndItsPointer()
    {
        var call = ActuatorCall("lightOn");
        call["ttlSeconds"] = 99999999;

        var result = await RunAsync(call);

        Assert.False(result.Result);
        Assert.Contains("command API answered 400", result.Error);
        Assert.Contains("#/ttlSeconds", result.Error);
    }

    [Theory]
    [InlineData("lamp/1")]
    [InlineData("lamp-1/../lamp-2")]
    [InlineData("$aws")]
    [InlineData("lamp 1")]
    public async Task Plug_DeviceIdOutsideTheThingNameAlphabet_RefusedBeforeSigning(string deviceId)
    {
        var call = ActuatorCall("lightOn");
        call["deviceId"] = deviceId;

        Assert.Contains("AWS IoT thing name", await RefusedBeforeSigningAsync(call));
    }

    /// <summary>
    /// Runs the plug against an API URL that nothing listens on, so a request it sent would fail as unreachable:
    /// the error it answers instead says why it refused the call before signing.
    /// </summary>
    private async Task<string?> RefusedBeforeSigningAsync(JsonObject call)
    {
        var result = await RunAsync(call, apiUrl: "http://127.0.0.1:1/commands");
        Assert.False(result.Result);
        return result.Error;
    }

    [Fact]
    public async Task Plug_CommandApiUnreachable_FailsWithoutRepeatingItsConfiguration()
    {
        const string url = "http://127.0.0.1:1/commands?token=configured-secret-token";

        var result = await RunAsync(ActuatorCall("lightOn"), apiUrl: url);

        Assert.False(result.Result);
        Assert.Contains("command API unreachable", result.Error);
        Assert.Contains("after 3 attempt(s)", result.Error);
        Assert.DoesNotContain("127.0.0.1", result.Error);
        Assert.DoesNotContain("configured-secret-token", result.Error);
        Assert.DoesNotContain(Harness.Secret, result.Error);
    }

    [Fact]
    public async Task Plug_IdempotencyKey_ForwardedSoARetryIsEnqueuedOnce()
    {
        var call = ActuatorCall("lightOn");
        call["idempotencyKey"] = "task-42:1764288000";

        var first = await RunAsync(call);
        var retry = await RunAsync(call);

        Assert.True(first.Result && retry.Result, first.Error ?? retry.Error);
        Assert.Equal((string?)first.RawData!["commandId"], (string?)retry.RawData!["commandId"]);
        Assert.Single(await CommandQueues.PeekAllAsync(_sqs, _queues.QueueUrl));
    }

    [Fact]
    public async Task Plug_SameCallTwiceWithinOneSecond_IsTwoCommands()
    {
        // A light value flapping around the threshold fires on, off, on quickly: every firing must reach the device.
        var call = ActuatorCall("lightOn");

        var results = await Task.WhenAll(RunAsync(call), RunAsync(call));

        Assert.All(results, r => Assert.True(r.Result, r.Error));
        Assert.NotEqual((string?)results[0].RawData!["commandId"], (string?)results[1].RawData!["commandId"]);
        Assert.Equal(2, (await CommandQueues.PeekAllAsync(_sqs, _queues.QueueUrl)).Count);
    }

    [Fact]
    public async Task Plug_ApiAnswers503ThenAccepts_RetriesTheSameSignedBytesAndOneCommandIsEnqueued()
    {
        var seen = new ConcurrentQueue<(string Timestamp, string Signature, string Key, string Body)>();
        using var forwarder = new HttpClient();
        await using var flaky = await LoopbackHttpServer.StartAsync(async context =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            seen.Enqueue((context.Request.Headers["X-Queueing-Timestamp"].ToString(), context.Request.Headers["X-Queueing-Signature"].ToString(),
                context.Request.Headers["Idempotency-Key"].ToString(), body));
            if (seen.Count == 1)
            {
                context.Response.StatusCode = 503;
                context.Response.Headers.RetryAfter = "1";
                return;
            }

            using var forward = new HttpRequestMessage(HttpMethod.Post, _gateway.CommandsUrl) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            forward.Headers.Add("X-Queueing-Timestamp", context.Request.Headers["X-Queueing-Timestamp"].ToString());
            forward.Headers.Add("X-Queueing-Signature", context.Request.Headers["X-Queueing-Signature"].ToString());
            forward.Headers.Add("Idempotency-Key", context.Request.Headers["Idempotency-Key"].ToString());
            using var answer = await forwarder.SendAsync(forward);
            context.Response.StatusCode = (int)answer.StatusCode;
            context.Response.ContentType = answer.Content.Headers.ContentType?.ToString();
            await context.Response.WriteAsync(await answer.Content.ReadAsStringAsync());
        });

        var result = await RunAsync(ActuatorCall("lightOff"), apiUrl: new Uri(flaky.BaseAddress, "commands").ToString());

        Assert.True(result.Result, result.Error);
        Assert.Equal(2, (int)result.RawData!["attempts"]!);
        var attempts = seen.ToArray();
        Assert.Equal(2, attempts.Length);
        Assert.Equal(attempts[0], attempts[1]);
        Assert.Single(await CommandQueues.PeekAllAsync(_sqs, _queues.QueueUrl));
    }

    [Fact]
    public async Task Plug_VaultWithoutTheSecret_FailsNamingTheVaultEntries()
    {
        var result = await RunAsync(ActuatorCall("lightOn"), secret: null);

        Assert.False(result.Result);
        Assert.Contains("QUEUEING_COMMAND_SIGNING_SECRET", result.Error);
        Assert.Equal(0, await CommandQueues.CountAsync(_sqs, _queues.QueueUrl));
    }

    [Theory]
    [InlineData("payload", "{lightStatus: on}", "payload is text but not JSON")]
    [InlineData("url", "https://example.invalid/send-command", "unknown property url")]
    [InlineData("qos", "high", "qos must be an integer")]
    public async Task Plug_PropertyItCannotUse_FailsSayingWhich(string property, string value, string expected)
    {
        var call = ActuatorCall("lightOn");
        call[property] = value;

        var result = await RunAsync(call);

        Assert.False(result.Result);
        Assert.Contains(expected, result.Error);
        Assert.Equal(0, await CommandQueues.CountAsync(_sqs, _queues.QueueUrl));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task Plug_NoDeviceId_RefusedBeforeSigning(string? deviceId)
    {
        var call = ActuatorCall("lightOn");
        call.Remove("deviceId");
        if (deviceId is not null)
        {
            call["deviceId"] = deviceId;
        }

        Assert.Contains("deviceId (the Waylay resource, i.e. the AWS IoT thing name; use \"{{RESOURCE}}\") is required", await RefusedBeforeSigningAsync(call));
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("tab\there")]
    [InlineData("é")]
    public async Task Plug_IdempotencyKeyOutsideWhatTheApiAccepts_RefusedBeforeSigning(string key)
    {
        var call = ActuatorCall("lightOn");
        call["idempotencyKey"] = key;

        Assert.Contains("idempotencyKey must be 1 to 128 printable ASCII characters without spaces", await RefusedBeforeSigningAsync(call));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public async Task Plug_EmptyOrNullIdempotencyKey_CountsAsNoneSoTwoCallsAreTwoCommands(string? key)
    {
        var call = ActuatorCall("lightOn");
        call["idempotencyKey"] = key;

        var results = await Task.WhenAll(RunAsync(call), RunAsync(call));

        Assert.All(results, r => Assert.True(r.Result, r.Error));
        Assert.NotEqual((string?)results[0].RawData!["commandId"], (string?)results[1].RawData!["commandId"]);
        Assert.Equal(2, await CommandQueues.CountAsync(_sqs, _queues.QueueUrl));
    }
}
