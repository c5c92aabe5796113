using System.Text.Json.Nodes;
using Queueing.Local.Waylay.Webscripts;
using Queueing.Testing;

namespace Queueing.Local.Tests.Waylay;

/// <summary>The Node.js host of webscripts, with small webscripts written by the tests.</summary>
public sealed class WebscriptHostTests
{
    private static async Task<WebscriptHost> StartAsync(TempDirectory dir, IReadOnlyDictionary<string, string>? secrets = null, TimeSpan? timeout = null) =>
        await WebscriptHost.StartAsync(new WebscriptHostOptions
        {
            WebscriptsDirectory = dir.Path,
            Secrets = secrets ?? new Dictionary<string, string>(),
            WebscriptTimeout = timeout ?? TimeSpan.FromSeconds(30),
        });

    [Fact]
    public async Task InvokeAsync_EchoWebscript_GetsParsedBodyHeadersAndOnlyItsSecrets()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("echo.js"), """
            function handleRequest (req, res) {
              res.status(201).json({
                body: req.body,
                key: req.headers['idempotency-key'],
                secret: process.env.MY_SECRET,
                env: Object.keys(process.env).sort()
              })
            }
            """);
        await using var host = await StartAsync(dir, new Dictionary<string, string> { ["MY_SECRET"] = "s3cret" });

        var answer = await host.InvokeAsync("echo", """{"deviceId":"lamp-1","n":[1,2]}""", new Dictionary<string, string> { ["Idempotency-Key"] = "k-1" }, default);

        Assert.Equal(201, answer.Status);
        var expected = JsonNode.Parse("""{"body":{"deviceId":"lamp-1","n":[1,2]},"key":"k-1","secret":"s3cret","env":["MY_SECRET","PATH","QUEUEING_WEBSCRIPTS_DIR","QUEUEING_WEBSCRIPT_TIMEOUT_MS"]}""");
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(answer.Body)), answer.Body);
        Assert.Equal(["echo"], host.Webscripts);
    }

    [Fact]
    public async Task InvokeAsync_AsyncWebscriptThatThrows_Answers500AndLogsTheError()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("broken.js"), "async function handleRequest (req, res) { throw new Error('kaput') }");
        await using var host = await StartAsync(dir);

        var answer = await host.InvokeAsync("broken", "{}", null, default);

        Assert.Equal(500, answer.Status);
        Assert.Contains("kaput", answer.Body);
        Assert.False(host.HasExited);
    }

    [Fact]
    public async Task InvokeAsync_UnknownWebscript_Answers404()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("a.js"), "function handleRequest (req, res) { res.sendStatus(204) }");
        await using var host = await StartAsync(dir);

        Assert.Equal(404, (await host.InvokeAsync("b", "{}", null, default)).Status);
        Assert.Equal(204, (await host.InvokeAsync("a", "{}", null, default)).Status);
    }

    [Fact]
    public async Task InvokeAsync_WebscriptThatNeverAnswers_Answers504AfterTheTimeout()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("silent.js"), "function handleRequest (req, res) { }");
        await using var host = await StartAsync(dir, timeout: TimeSpan.FromMilliseconds(200));

        var answer = await host.InvokeAsync("silent", "{}", null, default);

        Assert.Equal(504, answer.Status);
        Assert.Contains("did not answer", answer.Body);
    }

    [Fact]
    public async Task StartAsync_WebscriptWithASyntaxError_FailsWithNodesMessage()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("bad.js"), "function handleRequest (req, res) { res.send( }");

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(dir));

        Assert.Contains("webscript bad.js does not load", refused.Message);
        Assert.Contains("SyntaxError", refused.Message);
    }

    [Fact]
    public async Task StartAsync_FileWithoutHandleRequest_IsRefused()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("lib.js"), "const x = 1");

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(dir));

        Assert.Contains("lib.js declares no handleRequest", refused.Message);
    }

    [Fact]
    public async Task StartAsync_NodeNotInstalled_SaysWhatToInstall()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("a.js"), "function handleRequest (req, res) { res.send('ok') }");

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => WebscriptHost.StartAsync(new WebscriptHostOptions
        {
            WebscriptsDirectory = dir.Path,
            NodeExecutable = "node-is-not-installed-here",
        }));

        Assert.Contains("Node.js 18 or later", refused.Message);
    }
}
