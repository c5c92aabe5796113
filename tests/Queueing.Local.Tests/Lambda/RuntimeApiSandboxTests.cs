using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Queueing.Emulators.Lambda;

namespace Queueing.Local.Tests.Lambda;

/// <summary>The emulated Runtime API spoken over real HTTP, as a runtime speaks it.</summary>
public sealed class RuntimeApiSandboxTests : IAsyncLifetime
{
    private RuntimeApiServer _server = null!;
    private HttpClient _http = null!;

    private RuntimeApiSandbox Sandbox => _server.Sandboxes[0];

    public async Task InitializeAsync()
    {
        _server = await RuntimeApiServer.StartAsync(1, CancellationToken.None);
        _http = new HttpClient { BaseAddress = new Uri($"http://{Sandbox.Address}/2018-06-01/") };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        Sandbox.Reset();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Next_BeforeDispatch_WaitsThenReturnsEventWithLambdaHeaders()
    {
        var next = _http.GetAsync("runtime/invocation/next");
        Assert.Null(await Sandbox.InitCompleted);
        Assert.False(next.IsCompleted);

        var deadline = DateTimeOffset.FromUnixTimeMilliseconds(1_764_288_003_000);
        Sandbox.Dispatch(new PendingInvocation("req-1", Encoding.UTF8.GetBytes("{\"a\":1}"), deadline, "arn:aws:lambda:us-east-1:123456789012:function:f", "Root=1-abc"));
        using var response = await next;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("req-1", Header(response, "Lambda-Runtime-Aws-Request-Id"));
        Assert.Equal("1764288003000", Header(response, "Lambda-Runtime-Deadline-Ms"));
        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:f", Header(response, "Lambda-Runtime-Invoked-Function-Arn"));
        Assert.Equal("Root=1-abc", Header(response, "Lambda-Runtime-Trace-Id"));
        Assert.Equal("{\"a\":1}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Response_ForDispatchedEvent_Returns202AndCompletesInvocation()
    {
        var invocation = await DispatchAsync("req-2");

        using var answer = await _http.PostAsync("runtime/invocation/req-2/response", new StringContent("{\"ok\":true}"));

        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        Assert.Equal("OK", JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["status"]!.ToString());
        var completion = await invocation.Completed;
        Assert.Equal(InvocationOutcome.Response, completion.Outcome);
        Assert.Equal("{\"ok\":true}", Encoding.UTF8.GetString(completion.Payload));
    }

    [Fact]
    public async Task Response_UnknownRequestId_Returns400InvalidRequestId()
    {
        var invocation = await DispatchAsync("req-3");

        using var answer = await _http.PostAsync("runtime/invocation/not-req-3/response", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal("InvalidRequestID", JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["errorType"]!.ToString());
        Assert.False(invocation.IsCompleted);
    }

    [Fact]
    public async Task Response_Twice_SecondIsRejectedAs400()
    {
        await DispatchAsync("req-4");
        using var first = await _http.PostAsync("runtime/invocation/req-4/response", new StringContent("1"));

        using var second = await _http.PostAsync("runtime/invocation/req-4/response", new StringContent("2"));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
    }

    [Fact]
    public async Task Response_OverSixMegabytes_Returns413AndFailsInvocationAsTooLarge()
    {
        var invocation = await DispatchAsync("req-5");

        using var answer = await _http.PostAsync("runtime/invocation/req-5/response", new ByteArrayContent(new byte[RuntimeApiSandbox.MaxResponseBytes + 1]));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, answer.StatusCode);
        var completion = await invocation.Completed;
        Assert.Equal(InvocationOutcome.ResponseTooLarge, completion.Outcome);
        Assert.Equal("Function.ResponseSizeTooLarge", completion.ErrorType);
    }

    [Fact]
    public async Task Response_ExactlySixMegabytes_IsAccepted()
    {
        var invocation = await DispatchAsync("req-6");

        using var answer = await _http.PostAsync("runtime/invocation/req-6/response", new ByteArrayContent(new byte[RuntimeApiSandbox.MaxResponseBytes]));

        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        Assert.Equal(RuntimeApiSandbox.MaxResponseBytes, (await invocation.Completed).Payload.Length);
    }

    [Fact]
    public async Task Error_WithErrorTypeHeaderAndDocument_CompletesAsFunctionError()
    {
        var invocation = await DispatchAsync("req-7");
        using var request = new HttpRequestMessage(HttpMethod.Post, "runtime/invocation/req-7/error")
        {
            Content = new StringContent("{\"errorMessage\":\"boom\",\"errorType\":\"InvalidOperationException\",\"stackTrace\":[]}"),
        };
        request.Headers.Add("Lambda-Runtime-Function-Error-Type", "InvalidOperationException");

        using var answer = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        var completion = await invocation.Completed;
        Assert.Equal(InvocationOutcome.FunctionError, completion.Outcome);
        Assert.Equal("InvalidOperationException", completion.ErrorType);
        Assert.Equal("boom", RuntimeErrorDocument.Message(completion.Payload));
    }

    [Fact]
    public async Task Error_BodyNotJson_BuildsDocumentFromHeader()
    {
        var invocation = await DispatchAsync("req-8");
        using var request = new HttpRequestMessage(HttpMethod.Post, "runtime/invocation/req-8/error") { Content = new StringContent("plain text") };
        request.Headers.Add("Lambda-Runtime-Function-Error-Type", "Runtime.Custom");

        using var answer = await _http.SendAsync(request);

        var completion = await invocation.Completed;
        Assert.Equal("Runtime.Custom", completion.ErrorType);
        var document = JsonNode.Parse(completion.Payload)!;
        Assert.Equal("Runtime.Custom", document["errorType"]!.ToString());
        Assert.Equal("plain text", document["errorMessage"]!.ToString());
    }

    [Fact]
    public async Task InitError_BeforeNext_Returns202AndFailsInit()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "runtime/init/error")
        {
            Content = new StringContent("{\"errorMessage\":\"Invalid configuration: X is required but not set.\",\"errorType\":\"SettingsException\"}"),
        };
        request.Headers.Add("Lambda-Runtime-Function-Error-Type", "SettingsException");

        using var answer = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        var document = await Sandbox.InitCompleted;
        Assert.NotNull(document);
        Assert.Contains("X is required", RuntimeErrorDocument.Message(document), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InitError_AfterNext_Returns403InvalidStateTransition()
    {
        await DispatchAsync("req-9");

        using var answer = await _http.PostAsync("runtime/init/error", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
        Assert.Equal("InvalidStateTransition", JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["errorType"]!.ToString());
    }

    [Fact]
    public async Task Next_WhileHoldingUnansweredEvent_Returns403()
    {
        await DispatchAsync("req-10");

        using var again = await _http.GetAsync("runtime/invocation/next");

        Assert.Equal(HttpStatusCode.Forbidden, again.StatusCode);
    }

    [Fact]
    public async Task UnknownPath_Returns404()
    {
        using var answer = await _http.GetAsync("runtime/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
    }

    [Fact]
    public async Task StartAsync_ManySandboxes_EachHasItsOwnPort()
    {
        await using var server = await RuntimeApiServer.StartAsync(3, CancellationToken.None);

        Assert.Equal(3, server.Sandboxes.Select(s => s.Address).Distinct().Count());
        Assert.Equal([1, 2, 3], server.Sandboxes.Select(s => s.Id));
    }

    private async Task<PendingInvocation> DispatchAsync(string requestId)
    {
        var next = _http.GetAsync("runtime/invocation/next");
        await Sandbox.InitCompleted;
        var invocation = new PendingInvocation(requestId, "{}"u8.ToArray(), DateTimeOffset.UtcNow.AddSeconds(30), "arn", "Root=1-x");
        Sandbox.Dispatch(invocation);
        using var response = await next;
        Assert.Equal(requestId, Header(response, "Lambda-Runtime-Aws-Request-Id"));
        return invocation;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;
}
