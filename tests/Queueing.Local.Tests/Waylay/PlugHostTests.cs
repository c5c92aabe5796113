using System.Text.Json.Nodes;
using Queueing.Emulators.Waylay.Plugs;
using Queueing.Testing;

namespace Queueing.Local.Tests.Waylay;

/// <summary>The Node.js host of plugs, with small plugs written by the tests.</summary>
public sealed class PlugHostTests
{
    private static async Task<PlugHost> StartAsync(TempDirectory plugins, IReadOnlyDictionary<string, string>? vault = null, TimeSpan? timeout = null) =>
        await PlugHost.StartAsync(new PlugHostOptions
        {
            Plugs = TestPlugs.Catalog(plugins),
            Vault = vault ?? new Dictionary<string, string>(),
            PlugTimeout = timeout ?? TimeSpan.FromSeconds(30),
        });

    [Fact]
    public async Task ExecuteAsync_EchoPlug_GetsItsPropertiesTheVaultAndNoEnvironment()
    {
        using var plugins = new TempDirectory();
        TestPlugs.Write(plugins, "echo", """
            module.exports = function (options, send) {
              waylay.vault.get('MY_KEY').then(secret => send(null, { rawData: {
                properties: options.requiredProperties,
                globalSettings: options.globalSettings,
                secret,
                env: Object.keys(process.env).sort()
              } }))
            }
            """);
        await using var host = await StartAsync(plugins, new Dictionary<string, string> { ["MY_KEY"] = "s3cret" });

        var result = await host.ExecuteAsync("echo", "1.0.0", new JsonObject { ["deviceId"] = "lamp-1", ["n"] = new JsonArray(1, 2) }, "lamp-1", default);

        Assert.True(result.Result, result.Error);
        var expected = JsonNode.Parse("""{"properties":{"deviceId":"lamp-1","n":[1,2]},"globalSettings":{},"secret":"s3cret","env":["PATH"]}""");
        Assert.True(JsonNode.DeepEquals(expected, result.RawData), result.RawData?.ToJsonString());
    }

    [Theory]
    [InlineData("module.exports = (options, send) => send(new Error('Missing property deviceId'))", 30_000, "Missing property deviceId")]
    [InlineData("module.exports = (options, send) => waylay.vault.get('NOPE').then(v => send(null, { rawData: { v } }), send)", 30_000, "status code 404 (vault key NOPE not found)")]
    [InlineData("module.exports = () => {}", 200, "the plug did not call send() within 200 ms")]
    public async Task ExecuteAsync_PlugThatSendsAnErrorOrNothing_FailsSayingWhy(string code, int timeoutMs, string expected)
    {
        using var plugins = new TempDirectory();
        TestPlugs.Write(plugins, "failing", code);
        await using var host = await StartAsync(plugins, timeout: TimeSpan.FromMilliseconds(timeoutMs));

        var result = await host.ExecuteAsync("failing", "1.0.0", [], "lamp-1", default);

        Assert.False(result.Result);
        Assert.Contains(expected, result.Error);
    }

    [Theory]
    [InlineData("module.exports = () => { throw new Error('kaput') }")]
    [InlineData("module.exports = async () => { throw new Error('kaput') }")]
    public async Task ExecuteAsync_PlugThatThrows_FailsAndTheHostGoesOn(string code)
    {
        using var plugins = new TempDirectory();
        TestPlugs.Write(plugins, "broken", code);
        TestPlugs.Write(plugins, "fine", "module.exports = (options, send) => send(null, { rawData: { status: 202 } })");
        await using var host = await StartAsync(plugins);

        var broken = await host.ExecuteAsync("broken", "1.0.0", [], "lamp-1", default);
        var fine = await host.ExecuteAsync("fine", "1.0.0", [], "lamp-1", default);

        Assert.False(broken.Result);
        Assert.Contains("kaput", broken.Error);
        Assert.True(fine.Result);
        Assert.Equal(202, (int)fine.RawData!["status"]!);
    }

    [Fact]
    public async Task ExecuteAsync_VersionNotShipped_FailsAsNotFound()
    {
        using var plugins = new TempDirectory();
        TestPlugs.Write(plugins, "a", "module.exports = (options, send) => send()");
        await using var host = await StartAsync(plugins);

        var missing = await host.ExecuteAsync("a", "2.0.0", [], "lamp-1", default);
        var present = await host.ExecuteAsync("a", "1.0.0", [], "lamp-1", default);

        Assert.False(missing.Result);
        Assert.Contains("a:2.0.0 not found", missing.Error);
        Assert.True(present.Result);
    }

    [Fact]
    public async Task StartAsync_PlugWithASyntaxError_FailsWithNodesMessage()
    {
        using var plugins = new TempDirectory();
        TestPlugs.Write(plugins, "bad", "module.exports = function (options, send) { send( }");

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(plugins));

        Assert.Contains("plug bad 1.0.0 does not load", refused.Message);
        Assert.Contains("SyntaxError", refused.Message);
    }

    [Fact]
    public async Task StartAsync_ModuleThatExportsNoFunction_IsRefused()
    {
        using var plugins = new TempDirectory();
        TestPlugs.Write(plugins, "lib", "module.exports = { x: 1 }");

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(plugins));

        Assert.Contains("index.js does not export function (options, send)", refused.Message);
    }

    [Fact]
    public async Task StartAsync_NodeNotInstalled_SaysWhatToInstall()
    {
        using var plugins = new TempDirectory();
        TestPlugs.Write(plugins, "a", "module.exports = (options, send) => send()");

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => PlugHost.StartAsync(new PlugHostOptions
        {
            Plugs = TestPlugs.Catalog(plugins),
            NodeExecutable = "node-is-not-installed-here",
        }));

        Assert.Contains("Node.js 18 or later", refused.Message);
    }
}
