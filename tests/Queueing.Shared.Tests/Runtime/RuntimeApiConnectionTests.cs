using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Queueing.Shared.Runtime;
using Queueing.Testing;

namespace Queueing.Shared.Tests.Runtime;

public sealed class RuntimeApiConnectionTests
{
    [Fact]
    public void Constructor_Always_DisablesHttpClientTimeoutForTheLongPoll()
    {
        // HttpClient's default is 100 s; a next call waits as long as no event arrives (hours on a quiet queue).
        using var client = new RuntimeApiConnection("127.0.0.1:9001");

        Assert.Equal(Timeout.InfiniteTimeSpan, client.RequestTimeout);
        Assert.NotEqual(new HttpClient().Timeout, client.RequestTimeout);
    }

    [Fact]
    public async Task NextAsync_AllHeaders_MapsEveryRuntimeHeader()
    {
        await using var server = await LoopbackHttpServer.StartAsync(async http =>
        {
            Assert.Equal("/2018-06-01/runtime/invocation/next", http.Request.Path.Value);
            http.Response.Headers["Lambda-Runtime-Aws-Request-Id"] = "req-7";
            http.Response.Headers["Lambda-Runtime-Deadline-Ms"] = "1764324000123";
            http.Response.Headers["Lambda-Runtime-Invoked-Function-Arn"] = "arn:aws:lambda:us-east-1:123456789012:function:f";
            http.Response.Headers["Lambda-Runtime-Trace-Id"] = "Root=1-abc;Sampled=0";
            http.Response.Headers["Lambda-Runtime-Client-Context"] = """{"client":{}}""";
            http.Response.Headers["Lambda-Runtime-Cognito-Identity"] = """{"cognitoIdentityId":"x"}""";
            await http.Response.WriteAsync("""{"Records":[]}""");
        });
        using var client = new RuntimeApiConnection(server.BaseAddress.Authority);

        var invocation = await client.NextAsync(CancellationToken.None);

        Assert.Equal("req-7", invocation.RequestId);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1764324000123), invocation.Deadline);
        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:f", invocation.FunctionArn);
        Assert.Equal("Root=1-abc;Sampled=0", invocation.TraceId);
        Assert.Equal("""{"client":{}}""", invocation.ClientContext);
        Assert.Equal("""{"cognitoIdentityId":"x"}""", invocation.CognitoIdentity);
        Assert.Equal("""{"Records":[]}""", System.Text.Encoding.UTF8.GetString(invocation.Payload.Span));
    }

    [Fact]
    public async Task NextAsync_EventsOfEverySize_EachArrivesWhole_WithOrWithoutAContentLength()
    {
        // One array serves every event (issue 13): a small event after a large one must not carry the large one's
        // tail, a larger one must grow it, and a chunked answer (no Content-Length) must be read to its end.
        var events = new (byte[] Body, bool Chunked)[]
        {
            (Event(3_000_000, 'a'), false),
            (Event(10, 'b'), false),
            (Event(200_000, 'c'), true),
            (Event(5_000_000, 'd'), false),
            (Event(0, 'e'), true),
            (Event(7, 'f'), false),
        };
        var served = 0;
        await using var server = await LoopbackHttpServer.StartAsync(async http =>
        {
            var (body, chunked) = events[served++];
            http.Response.Headers["Lambda-Runtime-Aws-Request-Id"] = "req-" + served;
            http.Response.Headers["Lambda-Runtime-Deadline-Ms"] = "1764324000123";
            if (chunked)
            {
                // Written in pieces without a length: Kestrel answers with chunked transfer encoding.
                for (var offset = 0; offset < body.Length; offset += 65_521)
                {
                    await http.Response.Body.WriteAsync(body.AsMemory(offset, Math.Min(65_521, body.Length - offset)));
                    await http.Response.Body.FlushAsync();
                }
            }
            else
            {
                http.Response.ContentLength = body.Length;
                await http.Response.Body.WriteAsync(body);
            }
        });
        using var client = new RuntimeApiConnection(server.BaseAddress.Authority);

        foreach (var (body, _) in events)
        {
            var invocation = await client.NextAsync(CancellationToken.None);
            Assert.Equal(body.Length, invocation.Payload.Length);
            Assert.True(invocation.Payload.Span.SequenceEqual(body), $"event of {body.Length} bytes differs");
        }
    }

    private static byte[] Event(int length, char fill)
    {
        var body = new byte[length];
        body.AsSpan().Fill((byte)fill);
        if (length > 1)
        {
            body[^1] = (byte)'!';
        }

        return body;
    }

    [Theory]
    [InlineData(null, "1764324000123", "Lambda-Runtime-Aws-Request-Id")]
    [InlineData("req-1", null, "Lambda-Runtime-Deadline-Ms")]
    [InlineData("req-1", "soon", "Lambda-Runtime-Deadline-Ms")]
    public async Task NextAsync_MissingOrInvalidHeader_ThrowsNamingTheHeader(string? requestId, string? deadline, string header)
    {
        await using var server = await LoopbackHttpServer.StartAsync(async http =>
        {
            if (requestId is not null)
            {
                http.Response.Headers["Lambda-Runtime-Aws-Request-Id"] = requestId;
            }

            if (deadline is not null)
            {
                http.Response.Headers["Lambda-Runtime-Deadline-Ms"] = deadline;
            }

            await http.Response.WriteAsync("{}");
        });
        using var client = new RuntimeApiConnection(server.BaseAddress.Authority);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.NextAsync(CancellationToken.None));

        Assert.Contains(header, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendErrorAsync_Always_PostsErrorDocumentWithErrorTypeHeader()
    {
        string? path = null, header = null, body = null, contentType = null;
        await using var server = await LoopbackHttpServer.StartAsync(async http =>
        {
            path = http.Request.Path.Value;
            header = http.Request.Headers["Lambda-Runtime-Function-Error-Type"];
            contentType = http.Request.ContentType;
            using var reader = new StreamReader(http.Request.Body);
            body = await reader.ReadToEndAsync();
            http.Response.StatusCode = 202;
        });
        using var client = new RuntimeApiConnection(server.BaseAddress.Authority);

        await client.SendErrorAsync("req/1", new RuntimeError { ErrorType = "Function.Kaput", ErrorMessage = "it broke", StackTrace = ["at A", "at B"] }, CancellationToken.None);

        Assert.Equal("/2018-06-01/runtime/invocation/req%2F1/error", path);
        Assert.Equal("Function.Kaput", header);
        Assert.Equal("application/json", contentType);
        using var document = JsonDocument.Parse(body!);
        Assert.Equal("it broke", document.RootElement.GetProperty("errorMessage").GetString());
        Assert.Equal("Function.Kaput", document.RootElement.GetProperty("errorType").GetString());
        Assert.Equal(["at A", "at B"], document.RootElement.GetProperty("stackTrace").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task SendResponseAsync_RefusedWith413_ThrowsHttpRequestException()
    {
        await using var server = await LoopbackHttpServer.StartAsync(http =>
        {
            http.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return Task.CompletedTask;
        });
        using var client = new RuntimeApiConnection(server.BaseAddress.Authority);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.SendResponseAsync("req-1", [1, 2, 3], CancellationToken.None));

        Assert.Equal(System.Net.HttpStatusCode.RequestEntityTooLarge, error.StatusCode);
    }
}
