using System.Diagnostics;
using System.Text.Json.Nodes;
using Queueing.Local.Tests.Support;
using Queueing.Testing;

namespace Queueing.Local.Tests.Waylay.Deploy;

/// <summary>
/// waylay/deploy run under Node.js against a stand-in of a Waylay tenant that answers the documented endpoints and
/// validates every request body against the schemas of the published OpenAPI documents (as transcribed).
/// </summary>
public sealed class DeployTests : IAsyncLifetime
{
    private const string CommandApiUrl = "https://abc123.execute-api.eu-west-1.amazonaws.com/commands";
    private const string SigningSecret = "0123456789abcdef0123456789abcdef-signing";
    private FakeWaylayTenant _tenant = null!;

    public async Task InitializeAsync() => _tenant = await FakeWaylayTenant.StartAsync();

    public async Task DisposeAsync() => await _tenant.DisposeAsync();

    private sealed record Run(int ExitCode, string Output, string Error);

    private async Task<Run> DeployAsync(IEnumerable<string>? extra = null, string? key = FakeWaylayTenant.ApiKey, string? secret = SigningSecret, string commandApiUrl = CommandApiUrl, params string[] resources)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(RepositoryRoot.File("waylay", "deploy"));
        foreach (var argument in new[] { "--api", _tenant.BaseAddress.ToString(), "--vault-url", _tenant.BaseAddress.ToString(), "--command-api-url", commandApiUrl }
            .Concat(resources.SelectMany(r => new[] { "--resource", r })).Concat(extra ?? []))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in new[] { "WAYLAY_API_KEY", "WAYLAY_API_SECRET", "QUEUEING_COMMAND_SIGNING_SECRET" })
        {
            start.Environment.Remove(name);
        }

        if (key is not null)
        {
            start.Environment["WAYLAY_API_KEY"] = key;
            start.Environment["WAYLAY_API_SECRET"] = FakeWaylayTenant.ApiSecret;
        }

        if (secret is not null)
        {
            start.Environment["QUEUEING_COMMAND_SIGNING_SECRET"] = secret;
        }

        using var node = Process.Start(start) ?? throw new InvalidOperationException("node did not start (Node.js 18 or later must be on PATH).");
        node.StandardInput.Close();
        var output = node.StandardOutput.ReadToEndAsync();
        var error = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await node.WaitForExitAsync(timeout.Token);
        return new Run(node.ExitCode, await output, await error);
    }

    [Fact]
    public async Task Deploy_EmptyTenant_StoresVaultPlugTemplateAndOneTaskPerResourceWithBodiesTheContractsAccept()
    {
        var run = await DeployAsync(resources: ["lamp-1", "lamp-2"]);

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Empty(_tenant.Violations);
        Assert.Equal(CommandApiUrl, _tenant.Vault["QUEUEING_COMMAND_API_URL"]);
        Assert.Equal(SigningSecret, _tenant.Vault["QUEUEING_COMMAND_SIGNING_SECRET"]);
        var plug = _tenant.Plugs["queueingCommand@1.0.0"];
        Assert.Equal("node-plugs-test", (string?)plug.Manifest["runtime"]);
        Assert.Equal(["plug.json", "package.json", "index.js"], plug.Assets);
        var template = JsonNode.Parse(File.ReadAllText(RepositoryRoot.File("waylay", "templates", "light-threshold.json")));
        Assert.True(JsonNode.DeepEquals(template, _tenant.Templates["light-threshold"]));
        Assert.Equal(["lamp-1", "lamp-2"], _tenant.Tasks.Values.Select(t => (string)t["resource"]!).Order());
        Assert.All(_tenant.Tasks.Values, t => Assert.Equal(
            ("light-threshold", "reactive", true, false),
            ((string?)t["template"], (string?)t["type"], (bool)t["start"]!, (bool)t["resetObservations"]!)));
        // The order a tenant needs: the plug exists before the template that names it, the template before its tasks.
        var requests = _tenant.Requests.ToList();
        Assert.True(requests.FindIndex(r => r.StartsWith("PUT /vault/", StringComparison.Ordinal)) < requests.FindIndex(r => r.StartsWith("POST /registry/v2/plugs/", StringComparison.Ordinal)));
        Assert.True(requests.FindIndex(r => r.StartsWith("POST /registry/v2/plugs/", StringComparison.Ordinal)) < requests.FindIndex(r => r.StartsWith("POST /rules/v1/templates", StringComparison.Ordinal)));
        Assert.DoesNotContain(SigningSecret, run.Output + run.Error);
    }

    [Fact]
    public async Task Deploy_CommandAckWatch_UploadsTheAlarmPlugBeforeTheTemplate_TasksKeepTheirObservations()
    {
        var run = await DeployAsync(["--template", RepositoryRoot.File("waylay", "templates", "command-ack-watch.json")], resources: ["lamp-1", "lamp-2"]);

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Empty(_tenant.Violations);
        // The plug the template's actuator names, and only that one.
        Assert.Equal(["queueingAlarm@1.0.0"], _tenant.Plugs.Keys);
        Assert.Equal(["plug.json", "package.json", "index.js"], _tenant.Plugs["queueingAlarm@1.0.0"].Assets);
        var template = JsonNode.Parse(File.ReadAllText(RepositoryRoot.File("waylay", "templates", "command-ack-watch.json")));
        Assert.True(JsonNode.DeepEquals(template, _tenant.Templates["command-ack-watch"]));
        Assert.All(_tenant.Tasks.Values, t => Assert.Equal(
            ("command-ack-watch", "reactive", true, false),
            ((string?)t["template"], (string?)t["type"], (bool)t["start"]!, (bool)t["resetObservations"]!)));
        Assert.Equal(["lamp-1", "lamp-2"], _tenant.Tasks.Values.Select(t => (string)t["resource"]!).Order());
        var requests = _tenant.Requests.ToList();
        Assert.True(requests.FindIndex(r => r.StartsWith("POST /registry/v2/plugs/", StringComparison.Ordinal)) < requests.FindIndex(r => r.StartsWith("POST /rules/v1/templates", StringComparison.Ordinal)));
        Assert.Contains("2. plug queueingAlarm 1.0.0", run.Output);
        Assert.Contains("done: 2 task(s) run command-ack-watch.", run.Output);
    }

    [Fact]
    public async Task Deploy_BothTemplates_EachPlugOnceTheVaultTwice_TwoTasksPerDevice()
    {
        var light = await DeployAsync(resources: ["lamp-1"]);
        var watch = await DeployAsync(["--template", RepositoryRoot.File("waylay", "templates", "command-ack-watch.json")], resources: ["lamp-1"]);

        Assert.Equal((0, 0), (light.ExitCode, watch.ExitCode));
        Assert.Empty(_tenant.Violations);
        Assert.Equal(["queueingAlarm@1.0.0", "queueingCommand@1.0.0"], _tenant.Plugs.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2, _tenant.Requests.Count(r => r.StartsWith("POST /registry/v2/plugs/", StringComparison.Ordinal)));
        Assert.Equal(["command-ack-watch", "light-threshold"], _tenant.Tasks.Values.Select(t => (string)t["template"]!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Deploy_SecondRun_ReplacesTheTemplateAndCreatesNothingTwice()
    {
        var first = await DeployAsync(resources: ["lamp-1"]);
        var second = await DeployAsync(resources: ["lamp-1", "lamp-2"]);

        Assert.Equal((0, 0), (first.ExitCode, second.ExitCode));
        Assert.Empty(_tenant.Violations);
        Assert.Single(_tenant.Requests, r => r.StartsWith("POST /registry/v2/plugs/", StringComparison.Ordinal));
        Assert.Single(_tenant.Requests, r => r.StartsWith("PUT /rules/v1/templates/light-threshold", StringComparison.Ordinal));
        Assert.Equal(["lamp-1", "lamp-2"], _tenant.Tasks.Values.Select(t => (string)t["resource"]!).Order());
        Assert.Contains("lamp-1: task task-1 exists; not created again", second.Output);
        Assert.Contains("already on the tenant", second.Output);
    }

    [Fact]
    public async Task Deploy_TenantWithSeveralNodePlugRuntimes_AsksForOneAndUploadsNothing()
    {
        _tenant.NodePlugRuntimes.Add("node-plugs-other");

        var ambiguous = await DeployAsync(resources: ["lamp-1"]);
        var chosen = await DeployAsync(["--plug-runtime", "node-plugs-other"], resources: ["lamp-1"]);

        Assert.Equal(2, ambiguous.ExitCode);
        Assert.Contains("several node plug runtimes (node-plugs-test, node-plugs-other); choose one with --plug-runtime", ambiguous.Error);
        Assert.Equal(0, chosen.ExitCode);
        Assert.Equal("node-plugs-other", (string?)_tenant.Plugs["queueingCommand@1.0.0"].Manifest["runtime"]);
        Assert.Single(_tenant.Requests, r => r.StartsWith("POST /registry/v2/plugs/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Deploy_TemplateTheTenantRefuses_ExitsWithTheTenantsAnswerAndCreatesNoTask()
    {
        using var dir = new TempDirectory();
        var template = JsonNode.Parse(File.ReadAllText(RepositoryRoot.File("waylay", "templates", "light-threshold.json")))!;
        template["actuators"]![0]!["url"] = "${sendCommandWebscriptUrl}";
        File.WriteAllText(dir.File("bad.json"), template.ToJsonString());

        var run = await DeployAsync(["--template", dir.File("bad.json")], resources: ["lamp-1"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("creating template light-threshold was refused: 400", run.Error);
        Assert.Contains(_tenant.Violations, v => v.StartsWith("POST /rules/v1/templates: /actuators/0/url: ", StringComparison.Ordinal));
        Assert.Empty(_tenant.Tasks);
    }

    [Fact]
    public async Task Deploy_WrongApiKey_ExitsWithTheTenants401()
    {
        var run = await DeployAsync(key: "someone-else", resources: ["lamp-1"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("storing vault entry QUEUEING_COMMAND_API_URL was refused: 401", run.Error);
        Assert.Empty(_tenant.Vault);
    }

    public static TheoryData<string?, string, string, string[], string> BadUsage => new()
    {
        { null, SigningSecret, CommandApiUrl, ["lamp-1"], "WAYLAY_API_KEY and WAYLAY_API_SECRET must be set" },
        { FakeWaylayTenant.ApiKey, "too-short", CommandApiUrl, ["lamp-1"], "the signing secret is shorter than 32 bytes" },
        { FakeWaylayTenant.ApiKey, SigningSecret, CommandApiUrl, [], "give at least one --resource" },
        { FakeWaylayTenant.ApiKey, SigningSecret, CommandApiUrl, ["lamp/1"], "--resource \"lamp/1\" is not an AWS IoT thing name" },
        { FakeWaylayTenant.ApiKey, SigningSecret, "http://abc123.execute-api.eu-west-1.amazonaws.com/commands", ["lamp-1"], "--command-api-url must be an https URL" },
    };

    [Theory]
    [MemberData(nameof(BadUsage))]
    public async Task Deploy_BadUsage_ExitsWith2BeforeAnyRequestSayingWhy(string? key, string secret, string commandApiUrl, string[] resources, string expected)
    {
        var run = await DeployAsync(key: key, secret: secret, commandApiUrl: commandApiUrl, resources: resources);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Error);
        Assert.Empty(_tenant.Requests);
        Assert.DoesNotContain(secret, run.Error);
    }
}
