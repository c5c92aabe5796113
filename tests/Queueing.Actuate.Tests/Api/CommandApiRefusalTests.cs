using System.Text;
using Queueing.Actuate.Api;
using Queueing.Actuate.Tests.Support;
using Queueing.Contracts.Events;
using Queueing.Shared.Logging;

namespace Queueing.Actuate.Tests.Api;

/// <summary>
/// Refusals, on an API whose queue is unreachable: had any of these requests been let through to the queue,
/// the answer would be a 503, not the 4xx asserted.
/// </summary>
public sealed class CommandApiRefusalTests
{
    private const string Body = """{"deviceId":"lamp-1","payload":{"lightStatus":"on"}}""";
    private readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider _time = Harness.Clock();
    private readonly CommandApiFunction _api;

    public CommandApiRefusalTests() => _api = Harness.OfflineApi(_time);

    private HttpApiRequest Signed(string body = Body) => SignedRequests.Post(body, Harness.Secret, _time.GetUtcNow());

    private Task<HttpApiResponse> SendAsync(HttpApiRequest request) => _api.InvokeAsync(request, _time);

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    public async Task HandleAsync_OtherMethodOnCommands_Answers405WithAllow(string method)
    {
        var request = Signed();
        request.RequestContext!.Http!.Method = method;

        var response = await SendAsync(request);

        ProblemAssert.IsProblem(response, 405);
        Assert.Equal("POST", response.Headers!["Allow"]);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/command")]
    [InlineData("/commands/lamp-1")]
    [InlineData("/topics/devices%2Flamp-1%2Fcommands")]
    public async Task HandleAsync_OtherPath_Answers404(string path)
    {
        var request = Signed();
        request.RawPath = path;
        request.RequestContext!.Http!.Path = path;

        var problem = ProblemAssert.IsProblem(await SendAsync(request), 404);

        Assert.Contains("POST /commands", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("/commands", "$default", true)]
    [InlineData("/commands/", "$default", true)]
    [InlineData("/prod/commands", "prod", true)]
    [InlineData("/prod/commands", "$default", false)]
    public void RouteProblem_StagePrefixAndTrailingSlash_Understood(string path, string stage, bool routed)
    {
        var request = Signed();
        request.RawPath = path;
        request.RequestContext!.Stage = stage;
        Assert.Equal(routed, CommandApiFunction.RouteProblem(request) is null);
    }

    [Fact]
    public async Task HandleAsync_NoSignatureHeaders_Answers401WithScheme()
    {
        var response = await SendAsync(SignedRequests.Unsigned("POST", "/commands", Body));

        var problem = ProblemAssert.IsProblem(response, 401);
        Assert.Equal("urn:queueing:problem:unauthorized", problem.GetProperty("type").GetString());
        Assert.StartsWith("Queueing-HMAC-SHA256", response.Headers!["WWW-Authenticate"]);
    }

    [Fact]
    public async Task HandleAsync_WrongSecret_Answers401()
    {
        var response = await SendAsync(SignedRequests.Post(Body, "wrong-secret", _time.GetUtcNow()));
        Assert.Contains("does not match", ProblemAssert.IsProblem(response, 401).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task HandleAsync_StaleTimestamp_Answers401()
    {
        var response = await SendAsync(SignedRequests.Post(Body, Harness.Secret, _time.GetUtcNow().AddMinutes(-6)));
        Assert.Contains("replay", ProblemAssert.IsProblem(response, 401).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task HandleAsync_HeaderNamesInAnyCase_Read()
    {
        var request = Signed("""{"deviceId":"a/b","payload":1}""");
        request.Headers = request.Headers!.ToDictionary(h => h.Key.ToUpperInvariant(), h => h.Value);

        // Authenticated (so not 401) and validated: the device id is refused.
        ProblemAssert.IsProblem(await SendAsync(request), 400);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json; charset=iso-8859-1")]
    [InlineData("application/jsonp")]
    public async Task HandleAsync_NotJsonContentType_Answers415(string? contentType)
    {
        var request = Signed();
        request.Headers!.Remove("content-type");
        if (contentType is not null)
        {
            request.Headers["content-type"] = contentType;
        }

        var response = await SendAsync(request);

        ProblemAssert.IsProblem(response, 415);
        Assert.Equal("application/json", response.Headers!["Accept-Post"]);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("Application/JSON; charset=UTF-8")]
    [InlineData("application/json;charset=\"utf-8\"")]
    public void ContentTypeProblem_JsonWithOrWithoutUtf8Charset_Accepted(string contentType)
    {
        Assert.Null(CommandApiFunction.ContentTypeProblem(contentType));
    }

    [Fact]
    public async Task HandleAsync_InvalidCommand_Answers400WithAnErrorsMember()
    {
        var response = await SendAsync(Signed("""{"deviceId":"$aws/things/x","payload":1,"topic":"#"}"""));

        var problem = ProblemAssert.IsProblem(response, 400);
        Assert.Equal("urn:queueing:problem:invalid-command", problem.GetProperty("type").GetString());
        Assert.Equal(["#/topic", "#/deviceId"], ProblemAssert.Pointers(problem));
        Assert.All(problem.GetProperty("errors").EnumerateArray(), e => Assert.False(string.IsNullOrEmpty(e.GetProperty("detail").GetString())));
    }

    [Fact]
    public async Task HandleAsync_PayloadTooLarge_Answers413()
    {
        var body = "{\"deviceId\":\"lamp-1\",\"payload\":\"" + new string('x', 140_000) + "\"}";
        ProblemAssert.IsProblem(await SendAsync(Signed(body)), 413);
    }

    [Fact]
    public async Task HandleAsync_InvalidBase64Body_Answers400()
    {
        const string notBase64 = "this is not base64!";
        var request = SignedRequests.Post(notBase64, Harness.Secret, _time.GetUtcNow());
        request.IsBase64Encoded = true;

        Assert.Contains("base64", ProblemAssert.IsProblem(await SendAsync(request), 400).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task HandleAsync_Base64BodySignedOverItsDecodedBytes_Authenticated()
    {
        const string invalid = """{"deviceId":"a/b","payload":1}""";
        var request = SignedRequests.Post(invalid, Harness.Secret, _time.GetUtcNow());
        request.Body = Convert.ToBase64String(Encoding.UTF8.GetBytes(invalid));
        request.IsBase64Encoded = true;

        // Past authentication (not 401), so the signature was checked over the decoded bytes.
        ProblemAssert.IsProblem(await SendAsync(request), 400);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("")]
    public async Task HandleAsync_InvalidIdempotencyKey_Answers400(string key)
    {
        var request = SignedRequests.Post(Body, Harness.Secret, _time.GetUtcNow(), idempotencyKey: key);
        Assert.Contains("Idempotency-Key", ProblemAssert.IsProblem(await SendAsync(request), 400).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task HandleAsync_QueueUnreachable_Answers503WithRetryAfterAndNothingAccepted()
    {
        var response = await SendAsync(Signed());

        var problem = ProblemAssert.IsProblem(response, 503);
        Assert.Equal("1", response.Headers!["Retry-After"]);
        Assert.Contains("not accepted", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task HandleAsync_Problem_InstanceNamesTheApiGatewayRequest()
    {
        var request = SignedRequests.Unsigned("POST", "/commands", Body);
        request.RequestContext!.RequestId = "JKJaXmPLvHcESHA=";

        var problem = ProblemAssert.IsProblem(await SendAsync(request), 401);

        Assert.Equal("urn:queueing:request:JKJaXmPLvHcESHA=", problem.GetProperty("instance").GetString());
    }

    [Fact]
    public async Task HandleAsync_Refused_CountsItInTheInvocationsEmfLine()
    {
        using var stdout = new MemoryStream();
        var api = Harness.OfflineApi(_time);
        var request = Signed();
        request.Headers!.Remove("x-queueing-signature");

        ProblemAssert.IsProblem(await api.InvokeAsync(request, _time, new JsonLogWriter(stdout)), 401);

        var emf = System.Text.Json.JsonDocument.Parse(Encoding.UTF8.GetString(stdout.ToArray())).RootElement;
        Assert.Equal("test-function", emf.GetProperty("FunctionName").GetString());
        Assert.Equal(1, emf.GetProperty("CommandsRefused").GetInt32());
    }
}
