using System.Text.Json.Nodes;
using Amazon.SQS.Model;
using Amazon.SimpleSystemsManagement.Model;
using Queueing.Local.Tests.Support;
using Queueing.Testing;

namespace Queueing.Local.Tests.Cli;

/// <summary>
/// <c>invoke</c> through the command-line entry point against the test function (a real child process) and a real
/// moto_server (the fixture's, through --aws-endpoint, except where the tool's own moto is the point).
/// </summary>
public sealed class InvokeCommandTests : IClassFixture<MotoServer>, IDisposable
{
    private readonly MotoServer _moto;
    private readonly TestStack _stack = new();

    public InvokeCommandTests(MotoServer moto) => _moto = moto;

    [Fact]
    public async Task Invoke_Echo_PrintsResponseOnStdoutAndLogsOnStderr()
    {
        var run = await InvokeAsync("EchoFunction", """{"hello":"world"}""");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("""{"hello":"world"}""", run.Out.Trim());
        Assert.Contains("[EchoFunction] echo: 17 bytes for ", run.Error, StringComparison.Ordinal);
        Assert.Contains("REPORT RequestId: ", run.Error, StringComparison.Ordinal);
        Assert.Contains("Init Duration: ", run.Error, StringComparison.Ordinal);
        Assert.Contains("Memory Size: 256 MB", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_EventFromStdin_IsTheEvent()
    {
        var run = await CliRun.RunAsync(Arguments("EchoFunction", "-"), stdin: """{"from":"stdin"}""");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("""{"from":"stdin"}""", run.Out.Trim());
    }

    [Fact]
    public async Task Invoke_HandlerThrows_PrintsErrorDocumentAndExits1()
    {
        var run = await InvokeAsync("ThrowFunction", "{}");

        Assert.Equal(1, run.ExitCode);
        var error = JsonNode.Parse(run.Out)!;
        Assert.Equal("InvalidOperationException", error["errorType"]!.ToString());
        Assert.Equal("requested failure", error["errorMessage"]!.ToString());
        Assert.Contains("ThrowFunction failed (InvalidOperationException): requested failure", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_PastTimeout_ReportsSandboxTimedoutAndExits1()
    {
        var run = await InvokeAsync("SleepFunction", """{"milliseconds":30000}""");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Sandbox.Timedout", JsonNode.Parse(run.Out)!["errorType"]!.ToString());
        Assert.Contains("Task timed out after 1.00 seconds", run.Out, StringComparison.Ordinal);
        Assert.Contains("SleepFunction timed out after its Timeout of 1 s", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_InitFails_ReportsTheInitErrorAndTheChildStderr()
    {
        var run = await InvokeAsync("InitFailFunction", "{}");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("SettingsException", JsonNode.Parse(run.Out)!["errorType"]!.ToString());
        Assert.Contains("InitFailFunction failed its init (SettingsException): Invalid configuration: TEST_REQUIRED_SETTING is required but not set.", run.Error, StringComparison.Ordinal);
        Assert.Contains("[InitFailFunction] init-fail: about to report a missing setting", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_Environment_ResolvesTemplateToLocalValues()
    {
        var run = await InvokeAsync("EnvFunction", "{}");

        var variables = Json(run);
        var endpoint = _moto.Endpoint.ToString().TrimEnd('/');
        Assert.Equal("hello from queueing", variables["GREETING"]!.ToString());
        Assert.Equal($"{endpoint}/123456789012/queueing-TargetQueue", variables["TARGET_QUEUE_URL"]!.ToString());
        Assert.Equal($"{endpoint}/123456789012/queueing-TargetDLQ", variables["DEAD_LETTER_QUEUE_URL"]!.ToString());
        Assert.Equal(endpoint, variables["AWS_ENDPOINT_URL"]!.ToString());
        Assert.Equal("https://api.waylay.io", variables["WAYLAY_DATA_URL"]!.ToString());
        Assert.Equal("us-east-1", variables["AWS_REGION"]!.ToString());
        Assert.Equal("queueing-EnvFunction", variables["AWS_LAMBDA_FUNCTION_NAME"]!.ToString());
        Assert.Equal("env", variables["_HANDLER"]!.ToString());
    }

    [Fact]
    public async Task Invoke_EnvVarsFile_OverridesDeclaredVariablesAndIgnoresOthers()
    {
        var envVars = _stack.WriteFile("env.json", """
            {
              "Parameters": { "SHARED_ME": "from-parameters", "OVERRIDE_ME": "from-parameters" },
              "EnvFunction": { "OVERRIDE_ME": "from-function", "NOT_DECLARED": "x" },
              "EchoFunction": { "OVERRIDE_ME": "other function" }
            }
            """);

        var run = await InvokeAsync("EnvFunction", "{}", "--env-vars", envVars);

        var variables = Json(run);
        Assert.Equal("from-function", variables["OVERRIDE_ME"]!.ToString());
        Assert.Equal("from-parameters", variables["SHARED_ME"]!.ToString());
        Assert.Null(variables["NOT_DECLARED"]);
        Assert.Contains("--env-vars: ignored NOT_DECLARED", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_ParameterOverrides_ChangeResolvedValues()
    {
        var run = await InvokeAsync("EnvFunction", "{}", "--parameter-overrides", "Greeting=bonjour", "ParameterKey=MaxReceiveCount,ParameterValue=7");

        Assert.Equal("bonjour from queueing", Json(run)["GREETING"]!.ToString());
    }

    [Fact]
    public async Task Invoke_WaylayUrl_OverridesDeclaredWaylayDataUrl()
    {
        var run = await InvokeAsync("EnvFunction", "{}", "--waylay-url", "http://127.0.0.1:9999/");

        Assert.Equal("http://127.0.0.1:9999", Json(run)["WAYLAY_DATA_URL"]!.ToString());
    }

    [Fact]
    public async Task Invoke_ParameterWithoutDefault_GetsLocalPlaceholderAndSaysSo()
    {
        var run = await InvokeAsync("EnvFunction", "{}");

        Assert.Equal("iot-data.local.invalid", Json(run)["IOT_DATA_ENDPOINT"]!.ToString());
        Assert.Contains("Parameter IotDataEndpoint has no Default; using the local placeholder", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_IotEndpoint_OverridesDeclaredIotDataEndpoint()
    {
        var run = await InvokeAsync("EnvFunction", "{}", "--iot-endpoint", "http://127.0.0.1:8443");

        Assert.Equal("http://127.0.0.1:8443", Json(run)["IOT_DATA_ENDPOINT"]!.ToString());
    }

    [Fact]
    public async Task Invoke_CreatesTemplateQueuesWithRedriveAndSecureStringParameters()
    {
        var run = await InvokeAsync("EchoFunction", "{}", "--waylay-api-key", "k-1", "--signing-secret", "s-1");

        Assert.Equal(0, run.ExitCode);
        using var sqs = _moto.CreateSqs();
        var queueUrl = (await sqs.GetQueueUrlAsync("queueing-TargetQueue")).QueueUrl;
        var attributes = await sqs.GetQueueAttributesAsync(queueUrl, ["All"]);
        var redrive = JsonNode.Parse(attributes.Attributes["RedrivePolicy"])!;
        Assert.Equal("arn:aws:sqs:us-east-1:123456789012:queueing-TargetDLQ", redrive["deadLetterTargetArn"]!.ToString());
        Assert.Equal("4", redrive["maxReceiveCount"]!.ToString());
        Assert.Equal("60", attributes.Attributes["VisibilityTimeout"]);

        using var ssm = _moto.CreateSsm();
        var credentials = await ssm.GetParameterAsync(new GetParameterRequest { Name = "/queueing/waylay-credentials", WithDecryption = true });
        Assert.Equal("SecureString", credentials.Parameter.Type.Value);
        Assert.Equal("k-1", JsonNode.Parse(credentials.Parameter.Value)!["apiKey"]!.ToString());
        Assert.Equal("local-secret", JsonNode.Parse(credentials.Parameter.Value)!["apiSecret"]!.ToString());
        var secret = await ssm.GetParameterAsync(new GetParameterRequest { Name = "/queueing/command-signing-secret", WithDecryption = true });
        Assert.Equal("s-1", secret.Parameter.Value);
    }

    [Fact]
    public async Task Invoke_FunctionUsingDefaultSdkClient_ReachesLocalQueueThroughAwsEndpointUrl()
    {
        var marker = Guid.NewGuid().ToString();

        var run = await InvokeAsync("SendFunction", $$"""{"marker":"{{marker}}"}""");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var sqs = _moto.CreateSqs();
        var queueUrl = (await sqs.GetQueueUrlAsync("queueing-TargetQueue")).QueueUrl;
        var received = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest(queueUrl) { MaxNumberOfMessages = 10 });
        Assert.Contains(received.Messages ?? [], m => m.Body.Contains(marker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Invoke_UnknownFunction_Exits2ListingTheFunctions()
    {
        var run = await InvokeAsync("NoSuchFunction", "{}");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("'NoSuchFunction' is not a function of", run.Error, StringComparison.Ordinal);
        Assert.Contains("EchoFunction", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_MissingEventFile_Exits2()
    {
        var run = await CliRun.RunAsync(Arguments("EchoFunction", Path.Combine(_stack.Directory, "missing.json")));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("does not exist", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_EventNotJson_Exits2()
    {
        var run = await InvokeAsync("EchoFunction", "not json");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("is not JSON", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_EventOverSixMegabytes_Exits2()
    {
        var run = await InvokeAsync("EchoFunction", $"\"{new string('x', 6 * 1024 * 1024)}\"");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("at most 6291456", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_MissingEnvVarsFile_Exits2()
    {
        var run = await InvokeAsync("EchoFunction", "{}", "--env-vars", "nope.json");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--env-vars file 'nope.json' does not exist", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_EnvVarsFileWithWrongShape_Exits2()
    {
        var envVars = _stack.WriteFile("bad-env.json", """{"EnvFunction": ["not", "an", "object"]}""");

        var run = await InvokeAsync("EnvFunction", "{}", "--env-vars", envVars);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("'EnvFunction' must be an object", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_MissingEventOption_Exits2()
    {
        var run = await CliRun.RunAsync(["invoke", "EchoFunction", "--template", _stack.TemplatePath]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--event", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--parameter-overrides", "NoEquals")]
    [InlineData("--parameter-overrides", "Unknown=1")]
    [InlineData("--aws-endpoint", "not a url")]
    public async Task Invoke_BadOptionValue_Exits2(string option, string value)
    {
        var @event = _stack.WriteFile("event.json", "{}");

        var run = await CliRun.RunAsync(["invoke", "EchoFunction", "--event", @event, "--template", _stack.TemplatePath, "--no-build", option, value]);

        Assert.Equal(2, run.ExitCode);
    }

    [Fact]
    public async Task Invoke_TemplateWithUnsupportedConstruct_Exits2NamingResourceAndProperty()
    {
        using var stack = new TestStack(""", "Odd": { "Type": "AWS::SQS::Queue", "Properties": { "QueueName": { "Fn::ImportValue": "x" } } }""");
        var @event = stack.WriteFile("event.json", "{}");

        var run = await CliRun.RunAsync(["invoke", "EchoFunction", "--event", @event, "--template", stack.TemplatePath, "--no-build"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Resource 'Odd', property 'Properties.QueueName.Fn::ImportValue'", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_TemplateFoundFromCurrentDirectory()
    {
        var @event = _stack.WriteFile("event.json", "{\"found\":true}");
        var nested = Directory.CreateDirectory(Path.Combine(_stack.Directory, "a", "b")).FullName;

        var run = await CliRun.RunAsync(["invoke", "EchoFunction", "--event", @event, "--no-build", "--aws-endpoint", _moto.Endpoint.ToString()], currentDirectory: nested);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("{\"found\":true}", run.Out.Trim());
    }

    [Fact]
    public async Task Invoke_NoBuildWithUnbuiltProject_Exits3()
    {
        using var unbuilt = new TempDirectory();
        File.WriteAllText(unbuilt.File("Unbuilt.csproj"), """<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework></PropertyGroup></Project>""");
        var codeUri = JsonValue.Create(unbuilt.Path).ToJsonString();
        using var stack = new TestStack($$""", "Unbuilt": { "Type": "AWS::Serverless::Function", "Properties": { "Handler": "x", "CodeUri": {{codeUri}} } }""");
        var @event = stack.WriteFile("event.json", "{}");

        var run = await CliRun.RunAsync(["invoke", "Unbuilt", "--event", @event, "--template", stack.TemplatePath, "--no-build", "--aws-endpoint", _moto.Endpoint.ToString()]);

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("is not built", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_WithoutNoBuildOrEndpoint_BuildsStartsItsOwnMotoAndSucceeds()
    {
        var @event = _stack.WriteFile("event.json", "{}");

        var run = await CliRun.RunAsync(["invoke", "EnvFunction", "--event", @event, "--template", _stack.TemplatePath, "--configuration", TestFunctionBinary.Configuration]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Building Queueing.TestFunction.csproj", run.Error, StringComparison.Ordinal);
        Assert.Contains("Starting the local AWS (moto_server)", run.Error, StringComparison.Ordinal);
        var ownEndpoint = new Uri(Json(run)["AWS_ENDPOINT_URL"]!.ToString());
        Assert.NotEqual(_moto.Endpoint.Port, ownEndpoint.Port);
        // The tool stops its moto when it exits.
        using var http = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri(ownEndpoint, "moto-api/data.json")));
    }

    private Task<CliRun> InvokeAsync(string function, string eventJson, params string[] extra)
    {
        var @event = _stack.WriteFile($"event-{Guid.NewGuid():N}.json", eventJson);
        return CliRun.RunAsync([.. Arguments(function, @event), .. extra]);
    }

    private string[] Arguments(string function, string @event) =>
        ["invoke", function, "--event", @event, "--template", _stack.TemplatePath, "--no-build", "--configuration", TestFunctionBinary.Configuration,
         "--aws-endpoint", _moto.Endpoint.ToString()];

    private static JsonNode Json(CliRun run)
    {
        Assert.True(run.ExitCode == 0, run.ToString());
        return JsonNode.Parse(run.Out)!;
    }

    public void Dispose() => _stack.Dispose();
}
