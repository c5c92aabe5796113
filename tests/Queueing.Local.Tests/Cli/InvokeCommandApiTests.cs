using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.SQS.Model;
using Queueing.Contracts.Json;
using Queueing.Local.Tests.Support;
using Queueing.Testing;

namespace Queueing.Local.Tests.Cli;

/// <summary>
/// <c>generate-event http --sign</c> then <c>invoke CommandApiFunction</c>: the real template and Actuate
/// executable, the signing secret the tool stores in moto's SSM, the command landing in the FIFO queue.
/// </summary>
public sealed class InvokeCommandApiTests : IClassFixture<MotoServer>, IDisposable
{
    private readonly MotoServer _moto;
    private readonly TempDirectory _directory = new();

    public InvokeCommandApiTests(MotoServer moto) => _moto = moto;

    [Fact]
    public async Task Invoke_SignedGeneratedRequest_IsAcceptedAndQueuedForTheDevice()
    {
        await _moto.ResetAsync();
        var generated = await CliRun.RunAsync(
            ["generate-event", "http", "--sign", "--body", """{"deviceId":"lamp-9","payload":{"lightStatus":"off"},"ttlSeconds":60}"""]);
        var eventFile = _directory.File("command.json");
        await File.WriteAllTextAsync(eventFile, generated.Out);

        var run = await CliRun.RunAsync([
            "invoke", "CommandApiFunction", "--event", eventFile, "--template", RepositoryRoot.File("serverless.template"),
            "--no-build", "--configuration", TestFunctionBinary.Configuration, "--aws-endpoint", _moto.Endpoint.ToString()]);

        Assert.True(run.ExitCode == 0, run.ToString());
        var response = JsonSerializer.Deserialize(run.Out, SharedJsonContext.Default.HttpApiResponse)!;
        Assert.True(response.StatusCode == 202, run.ToString());
        var accepted = JsonNode.Parse(response.Body!)!;
        Assert.Equal("lamp-9", accepted["deviceId"]!.ToString());

        using var sqs = _moto.CreateSqs();
        var queue = (await sqs.GetQueueUrlAsync("queueing-CommandQueue.fifo")).QueueUrl;
        var received = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest(queue) { MaxNumberOfMessages = 10, MessageSystemAttributeNames = ["All"] });
        var message = Assert.Single(received.Messages ?? []);
        Assert.Equal("lamp-9", message.Attributes["MessageGroupId"]);
        Assert.Equal(accepted["commandId"]!.ToString(), JsonNode.Parse(message.Body)!["commandId"]!.ToString());
    }

    [Fact]
    public async Task Invoke_RequestSignedWithAnotherSecret_IsRefused401()
    {
        var generated = await CliRun.RunAsync(["generate-event", "http", "--sign", "--signing-secret", "not-the-local-one"]);
        var eventFile = _directory.File("bad-command.json");
        await File.WriteAllTextAsync(eventFile, generated.Out);

        var run = await CliRun.RunAsync([
            "invoke", "CommandApiFunction", "--event", eventFile, "--template", RepositoryRoot.File("serverless.template"),
            "--no-build", "--configuration", TestFunctionBinary.Configuration, "--aws-endpoint", _moto.Endpoint.ToString()]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(401, JsonSerializer.Deserialize(run.Out, SharedJsonContext.Default.HttpApiResponse)!.StatusCode);
    }

    public void Dispose() => _directory.Dispose();
}
