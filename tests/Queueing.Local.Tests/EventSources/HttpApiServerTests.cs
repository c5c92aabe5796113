using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Queueing.Contracts.Json;
using Queueing.Emulators.Lambda;
using Queueing.Emulators.Template;
using Queueing.Local.EventSources;
using Queueing.Local.Tests.Support;

namespace Queueing.Local.Tests.EventSources;

/// <summary>The local HTTP API over real HTTP on 127.0.0.1, with in-process functions that record their events.</summary>
public sealed class HttpApiServerTests
{
    private static readonly DateTimeOffset Now = new(2025, 11, 28, 9, 30, 15, 250, TimeSpan.Zero);

    [Fact]
    public async Task Routing_TheMostSpecificRouteWins_AsTheHttpApiGuideShows()
    {
        var echo = FakeFunction.Echo();
        await using var api = await StartAsync(
        [
            echo.Route("GET", "/pets/dog/1"),
            echo.Route("GET", "/pets/dog/{id}"),
            echo.Route("GET", "/pets/{proxy+}"),
            echo.Route("ANY", "/{proxy+}"),
            echo.Route("POST", "/commands"),
            echo.Route("ANY", "/commands"),
            echo.DefaultRoute(),
        ]);
        using var client = Client(api);
        (string Method, string Path)[] requests =
        [
            ("GET", "/pets/dog/1"), ("GET", "/pets/dog/2"), ("GET", "/pets/cat/1"), ("POST", "/pets/cat/1"),
            ("POST", "/commands"), ("DELETE", "/commands"), ("GET", "/pets/dog/a%20b"), ("GET", "/"),
        ];

        var selected = new List<string>();
        foreach (var (method, path) in requests)
        {
            using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var e = JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(), SharedJsonContext.Default.HttpApiRequest)!;
            Assert.Equal(e.RouteKey, e.RequestContext!.RouteKey);
            var parameters = string.Join(";", (e.PathParameters ?? []).Select(p => $"{p.Key}={p.Value}"));
            selected.Add($"{method} {path} -> {e.RouteKey} [{parameters}]");
        }

        Assert.Equal(
        [
            "GET /pets/dog/1 -> GET /pets/dog/1 []",
            "GET /pets/dog/2 -> GET /pets/dog/{id} [id=2]",
            "GET /pets/cat/1 -> GET /pets/{proxy+} [proxy=cat/1]",
            "POST /pets/cat/1 -> ANY /{proxy+} [proxy=pets/cat/1]",
            "POST /commands -> POST /commands []",
            "DELETE /commands -> ANY /commands []",
            "GET /pets/dog/a%20b -> GET /pets/dog/{id} [id=a b]",
            "GET / -> $default []",
        ], selected);
        Assert.Equal(requests.Length, echo.Events.Count);
    }

    [Fact]
    public async Task Routing_MethodWithoutRoute_GoesToDefaultWithTheFullPath()
    {
        var health = FakeFunction.Echo();
        var fallback = FakeFunction.Echo();
        await using var api = await StartAsync([health.Route("GET", "/health"), fallback.DefaultRoute("Fallback")]);
        using var client = Client(api);

        using var response = await client.PostAsync("health?x=1", new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(health.Events);
        var e = fallback.SingleEvent;
        Assert.Equal("$default", e.RouteKey);
        Assert.Equal("/health", e.RawPath);
        Assert.Null(e.PathParameters);
    }

    [Fact]
    public async Task Routing_NoMatchAndNoDefault_Is404NotFoundWithoutInvoking()
    {
        var function = FakeFunction.Echo();
        await using var api = await StartAsync([function.Route("POST", "/commands"), function.Route("GET", "/pets/{proxy+}")]);
        using var client = Client(api);

        using var wrongMethod = await client.GetAsync("commands");
        using var wrongPath = await client.PostAsync("other", new StringContent("{}"));
        using var greedyNeedsASegment = await client.GetAsync("pets");

        foreach (var response in new[] { wrongMethod, wrongPath, greedyNeedsASegment })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("""{"message":"Not Found"}""", await response.Content.ReadAsStringAsync());
            Assert.True(response.Headers.Contains("apigw-requestid"));
        }

        Assert.Empty(function.Events);
        Assert.Equal(new HttpApiCounters { Requests = 3, Responses4xx = 3, Unmatched = 3 }, api.Counters);
    }

    [Fact]
    public async Task Event_PostWithQueryCookiesAndRepeatedHeaders_IsThePayload2EventApiGatewaySends()
    {
        var function = FakeFunction.Returning("""{"statusCode":202}""");
        await using var api = await StartAsync([function.Route("POST", "/devices/{deviceId}/commands")], new FakeTimeProvider(Now));
        const string Body = """{"payload":{"lightStatus":"on"}}""";

        var (status, headers) = await SendRawAsync(api.BaseAddress,
            "POST /devices/lamp%201/commands?tag=a&tag=b&dry=1&q=x+y HTTP/1.1",
            ["Content-Type: application/json", "X-Repeat: one", "X-Repeat: two", "Cookie: c1=v1; c2=v2", "Cookie: c3=v3", "User-Agent: raw-test/1.0"],
            Encoding.UTF8.GetBytes(Body));

        Assert.Equal(202, status);
        var raw = JsonNode.Parse(Assert.Single(function.Events))!.AsObject();
        Assert.False(raw.ContainsKey("stageVariables"));
        var e = function.SingleEvent;
        Assert.Equal("2.0", e.Version);
        Assert.Equal("POST /devices/{deviceId}/commands", e.RouteKey);
        Assert.Equal("/devices/lamp%201/commands", e.RawPath);
        Assert.Equal("tag=a&tag=b&dry=1&q=x+y", e.RawQueryString);
        Assert.Equal(new Dictionary<string, string> { ["tag"] = "a,b", ["dry"] = "1", ["q"] = "x y" }, e.QueryStringParameters);
        Assert.Equal(new Dictionary<string, string> { ["deviceId"] = "lamp 1" }, e.PathParameters);
        Assert.Equal(["c1=v1", "c2=v2", "c3=v3"], e.Cookies!);
        Assert.False(e.Headers!.ContainsKey("cookie"));
        Assert.Equal("one,two", e.Headers["x-repeat"]);
        Assert.Equal("application/json", e.Headers["content-type"]);
        Assert.Equal(Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Headers["content-length"]);
        Assert.Equal("127.0.0.1", e.Headers["x-forwarded-for"]);
        Assert.Equal("http", e.Headers["x-forwarded-proto"]);
        Assert.StartsWith("Root=1-", e.Headers["x-amzn-trace-id"], StringComparison.Ordinal);
        Assert.All(e.Headers.Keys, name => Assert.Equal(name.ToLowerInvariant(), name));
        Assert.Equal(Body, e.Body);
        Assert.False(e.IsBase64Encoded);

        var context = e.RequestContext!;
        Assert.Equal("123456789012", context.AccountId);
        Assert.Equal("local00api", context.ApiId);
        Assert.Equal(api.BaseAddress.Authority, context.DomainName);
        Assert.Equal("127", context.DomainPrefix);
        Assert.Equal("POST", context.Http!.Method);
        Assert.Equal("/devices/lamp 1/commands", context.Http.Path);
        Assert.Equal("HTTP/1.1", context.Http.Protocol);
        Assert.Equal("127.0.0.1", context.Http.SourceIp);
        Assert.Equal("raw-test/1.0", context.Http.UserAgent);
        Assert.Equal(headers["apigw-requestid"], context.RequestId);
        Assert.Equal("POST /devices/{deviceId}/commands", context.RouteKey);
        Assert.Equal("$default", context.Stage);
        Assert.Equal("28/Nov/2025:09:30:15 +0000", context.Time);
        Assert.Equal(Now.ToUnixTimeMilliseconds(), context.TimeEpoch);
    }

    [Theory]
    [InlineData("application/octet-stream", true)]
    [InlineData("image/png", true)]
    [InlineData("application/x-www-form-urlencoded", true)]
    [InlineData(null, true)]
    [InlineData("text/plain; charset=utf-8", false)]
    [InlineData("application/json", false)]
    [InlineData("application/xml", false)]
    public async Task Event_Body_IsBase64UnlessTheContentTypeIsText(string? contentType, bool base64)
    {
        var function = FakeFunction.Returning("""{"statusCode":204}""");
        await using var api = await StartAsync([function.DefaultRoute()]);
        using var client = Client(api);
        byte[] body = [0x68, 0x69, 0x00, 0xff, 0x0a];
        var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        using var response = await client.PutAsync("upload", content);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var e = function.SingleEvent;
        Assert.Equal(base64, e.IsBase64Encoded);
        Assert.Equal(base64 ? Convert.ToBase64String(body) : Encoding.UTF8.GetString(body), e.Body);
    }

    [Fact]
    public async Task Event_RequestWithoutBody_HasNoBody()
    {
        var function = FakeFunction.Returning("""{"statusCode":200}""");
        await using var api = await StartAsync([function.Route("GET", "/health")]);
        using var client = Client(api);

        using var response = await client.GetAsync("health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var raw = JsonNode.Parse(Assert.Single(function.Events))!.AsObject();
        Assert.False(raw.ContainsKey("body"));
        Assert.False(raw.ContainsKey("queryStringParameters"));
        Assert.False(raw.ContainsKey("cookies"));
        Assert.False(raw["isBase64Encoded"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Response_StatusHeadersCookiesAndBody_AreWhatTheClientGets()
    {
        var function = FakeFunction.Returning("""
            {"statusCode":201,"headers":{"content-type":"text/plain","x-count":3,"Location":"/commands/c-1"},
             "cookies":["a=1; Path=/","b=2; HttpOnly"],"body":"created c-1"}
            """);
        await using var api = await StartAsync([function.Route("POST", "/commands")]);
        using var client = Client(api);

        using var response = await client.PostAsync("commands", new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("3", Assert.Single(response.Headers.GetValues("x-count")));
        Assert.Equal("/commands/c-1", response.Headers.Location!.ToString());
        Assert.Equal(["a=1; Path=/", "b=2; HttpOnly"], response.Headers.GetValues("Set-Cookie"));
        Assert.Equal("created c-1", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Response_Base64Body_IsDecodedToBytes()
    {
        byte[] png = [0x89, 0x50, 0x4e, 0x47, 0x00, 0xff];
        var function = FakeFunction.Returning($$"""
            {"statusCode":200,"headers":{"content-type":"image/png"},"isBase64Encoded":true,"body":"{{Convert.ToBase64String(png)}}"}
            """);
        await using var api = await StartAsync([function.DefaultRoute()]);
        using var client = Client(api);

        using var response = await client.GetAsync("logo.png");

        Assert.Equal(png, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/png", response.Content.Headers.ContentType!.MediaType);
    }

    [Theory]
    [InlineData("""{"message":"no status"}""")]
    [InlineData("""  "Hello from Lambda!" """)]
    [InlineData("""[1,2,3]""")]
    public async Task Response_ValidJsonWithoutStatusCode_Is200JsonWithTheOutputAsBody(string output)
    {
        var function = FakeFunction.Returning(output);
        await using var api = await StartAsync([function.DefaultRoute()]);
        using var client = Client(api);

        using var response = await client.GetAsync("anything");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(output, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("""{"statusCode":"200","body":"x"}""")]
    [InlineData("""{"statusCode":99}""")]
    [InlineData("""{"statusCode":200.5}""")]
    [InlineData("""{"statusCode":200,"headers":["a"]}""")]
    [InlineData("""{"statusCode":200,"headers":{"a":{"b":1}}}""")]
    [InlineData("""{"statusCode":200,"cookies":"a=1"}""")]
    [InlineData("""{"statusCode":200,"body":{"a":1}}""")]
    [InlineData("""{"statusCode":200,"isBase64Encoded":true,"body":"!!not base64!!"}""")]
    public async Task Response_MalformedOutput_Is500InternalServerError(string output)
    {
        var function = FakeFunction.Returning(output);
        await using var api = await StartAsync([function.DefaultRoute()]);
        using var client = Client(api);

        using var response = await client.GetAsync("x");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("""{"message":"Internal Server Error"}""", await response.Content.ReadAsStringAsync());
        Assert.Equal(new HttpApiCounters { Requests = 1, Responses5xx = 1 }, api.Counters);
    }

    [Theory]
    [InlineData(InvocationOutcome.FunctionError)]
    [InlineData(InvocationOutcome.InitError)]
    [InlineData(InvocationOutcome.RuntimeExit)]
    [InlineData(InvocationOutcome.Timeout)]
    [InlineData(InvocationOutcome.ResponseTooLarge)]
    public async Task Response_FailedInvoke_Is500InternalServerError(InvocationOutcome outcome)
    {
        var function = FakeFunction.Failing(outcome);
        await using var api = await StartAsync([function.Route("POST", "/commands")]);
        using var client = Client(api);

        using var response = await client.PostAsync("commands", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("""{"message":"Internal Server Error"}""", await response.Content.ReadAsStringAsync());
        Assert.Equal(new HttpApiCounters { Requests = 1, Responses5xx = 1, FunctionErrors = 1 }, api.Counters);
    }

    [Fact]
    public async Task Response_InvokerThrows_Is500AndTheServerKeepsServing()
    {
        var broken = FakeFunction.Throwing();
        var healthy = FakeFunction.Returning("""{"statusCode":200,"body":"ok"}""");
        await using var api = await StartAsync([broken.Route("GET", "/broken"), healthy.Route("GET", "/ok")]);
        using var client = Client(api);

        using var failed = await client.GetAsync("broken");
        using var ok = await client.GetAsync("ok");

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal("ok", await ok.Content.ReadAsStringAsync());
        Assert.Equal(new HttpApiCounters { Requests = 2, Responses2xx = 1, Responses5xx = 1, FunctionErrors = 1 }, api.Counters);
    }

    [Fact]
    public async Task Response_FunctionSlowerThanTheRouteTimeout_Is503ServiceUnavailable()
    {
        var time = new FakeTimeProvider(Now);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = FakeFunction.Waiting(started, release.Task);
        await using var api = await StartAsync([slow.Route("POST", "/commands", timeoutInMillis: 1000)], time);
        using var client = Client(api);

        var pending = client.PostAsync("commands", new StringContent("{}"));
        await started.Task;
        time.Advance(TimeSpan.FromMilliseconds(999));
        var answeredEarly = pending.IsCompleted;
        time.Advance(TimeSpan.FromMilliseconds(1));
        using var response = await pending;
        release.SetResult();

        Assert.False(answeredEarly);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("""{"message":"Service Unavailable"}""", await response.Content.ReadAsStringAsync());
        Assert.Equal(new HttpApiCounters { Requests = 1, Responses5xx = 1, Timeouts = 1 }, api.Counters);
    }

    [Fact]
    public async Task Request_BodyOverThePayloadLimit_Is413WithoutInvoking()
    {
        var function = FakeFunction.Echo();
        await using var api = await StartAsync([function.DefaultRoute()], options: new HttpApiServerOptions { MaxRequestBodyBytes = 1024 });
        using var client = Client(api);

        using var atLimit = await client.PostAsync("upload", new ByteArrayContent(new byte[1024]));
        using var overLimit = await client.PostAsync("upload", new ByteArrayContent(new byte[1025]));

        Assert.Equal(HttpStatusCode.OK, atLimit.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, overLimit.StatusCode);
        Assert.Single(function.Events);
        Assert.Equal(new HttpApiCounters { Requests = 2, Responses2xx = 1, Responses4xx = 1 }, api.Counters);
    }

    [Fact]
    public async Task Counters_CountEveryRequestByOutcome()
    {
        var ok = FakeFunction.Returning("""{"statusCode":200}""");
        var failing = FakeFunction.Failing(InvocationOutcome.FunctionError);
        await using var api = await StartAsync([ok.Route("GET", "/ok"), failing.Route("GET", "/fail")]);
        using var client = Client(api);

        var responses = await Task.WhenAll(
            Enumerable.Range(0, 20).Select(i => client.GetAsync(i % 4 == 0 ? "fail" : i % 4 == 1 ? "missing" : "ok")));

        Assert.Equal(new HttpApiCounters { Requests = 20, Responses2xx = 10, Responses4xx = 5, Responses5xx = 5, FunctionErrors = 5, Unmatched = 5 }, api.Counters);
        Assert.Equal(10, ok.Events.Count);
        Assert.Equal(20, responses.Select(r => r.Headers.GetValues("apigw-requestid").Single()).Distinct().Count());
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public void Constructor_BadRoutes_ReportsEveryProblemTogether()
    {
        var f = FakeFunction.Echo();
        HttpApiRoute[] routes =
        [
            f.Route("GET", "/a"),
            f.Route("get", "/a", logicalId: "Other"),
            new("V1", new HttpApiEventSource("V1", "Api", "/v1", "GET", "1.0", null), f.InvokeAsync),
            f.Route("GET", "/{proxy+}/more"),
            f.Route("FETCH", "/b"),
            f.Route("GET", "/c", timeoutInMillis: 30_001),
        ];

        var error = Assert.Throws<ArgumentException>(() => new HttpApiServer("Api", routes));

        Assert.Contains("route 'GET /a' is already defined by function 'Fn'", error.Message, StringComparison.Ordinal);
        Assert.Contains("PayloadFormatVersion '1.0'", error.Message, StringComparison.Ordinal);
        Assert.Contains("greedy path variable that is not the last segment", error.Message, StringComparison.Ordinal);
        Assert.Contains("method 'FETCH'", error.Message, StringComparison.Ordinal);
        Assert.Contains("TimeoutInMillis must be between 50 and 30000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RouteKeys_AreTheApiGatewayRouteKeys()
    {
        var f = FakeFunction.Echo();

        var api = new HttpApiServer("Api", [f.DefaultRoute(), f.Route("post", "/commands"), f.Route("ANY", "/{proxy+}")]);

        Assert.Equal(["ANY /{proxy+}", "POST /commands", "$default"], api.RouteKeys);
        Assert.Equal("Api", api.ApiLogicalId);
    }

    [Fact]
    public async Task TestFunction_RealChildProcess_ReceivesTheEventAndItsOutputIsTheResponse()
    {
        var log = new CapturedWriter();
        var function = TestFunctionBinary.Function("echo");
        await using var runtime = await FunctionRuntime.StartAsync(
            function, TestFunctionBinary.Launch(function), new FunctionRuntimeOptions(), new FunctionOutput(log), TimeProvider.System, CancellationToken.None);
        await using var api = await StartAsync(
            [new HttpApiRoute("TestFunction", new HttpApiEventSource("Commands", null, "/commands", "POST", "2.0", null), runtime.InvokeAsync)]);
        using var client = Client(api);

        using var response = await client.PostAsync("commands?dry=1", new StringContent("""{"deviceId":"lamp-1"}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var e = JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(), SharedJsonContext.Default.HttpApiRequest)!;
        Assert.Equal("POST /commands", e.RouteKey);
        Assert.Equal("""{"deviceId":"lamp-1"}""", e.Body);
        Assert.Equal("1", e.QueryStringParameters!["dry"]);
        Assert.Equal(response.Headers.GetValues("apigw-requestid").Single(), e.RequestContext!.RequestId);
        Assert.Contains("[TestFunction] echo:", log.ToString(), StringComparison.Ordinal);
    }

    private static async Task<HttpApiServer> StartAsync(
        IEnumerable<HttpApiRoute> routes, TimeProvider? time = null, HttpApiServerOptions? options = null)
    {
        var api = new HttpApiServer("Api", routes, options, time);
        await api.StartAsync(CancellationToken.None);
        return api;
    }

    private static HttpClient Client(HttpApiServer api) => new() { BaseAddress = api.BaseAddress };

    /// <summary>One HTTP/1.1 request written by hand, to send repeated header lines as they are.</summary>
    private static async Task<(int Status, Dictionary<string, string> Headers)> SendRawAsync(
        Uri baseAddress, string requestLine, IEnumerable<string> headers, byte[] body)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, baseAddress.Port);
        var stream = tcp.GetStream();
        var head = new StringBuilder()
            .Append(requestLine).Append("\r\n")
            .Append("Host: ").Append(baseAddress.Authority).Append("\r\n");
        foreach (var header in headers)
        {
            head.Append(header).Append("\r\n");
        }

        head.Append("Content-Length: ").Append(body.Length).Append("\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
        await stream.WriteAsync(body);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var answer = await reader.ReadToEndAsync();
        var lines = answer[..answer.IndexOf("\r\n\r\n", StringComparison.Ordinal)].Split("\r\n");
        var responseHeaders = lines[1..]
            .Select(line => line.Split(':', 2))
            .ToDictionary(parts => parts[0].Trim().ToLowerInvariant(), parts => parts[1].Trim());
        return (int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), responseHeaders);
    }
}
