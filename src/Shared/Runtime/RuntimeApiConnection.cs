using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Queueing.Shared.Runtime;

/// <summary>
/// Our connection to the Lambda Runtime API at <c>AWS_LAMBDA_RUNTIME_API</c> (host:port): one HTTP client and one
/// event buffer kept across invocations. Named apart from aws-lambda-dotnet's <c>RuntimeApiClient</c>, whose
/// members differ (<c>GetNextInvocationAsync</c>, ...), so no reader expects that API here.
/// </summary>
internal sealed class RuntimeApiConnection : IRuntimeApi, IDisposable
{
    private const string ErrorTypeHeader = "Lambda-Runtime-Function-Error-Type";
    private readonly HttpClient _http;
    // The event of the invocation being served. Lambda hands out one event at a time and the loop asks for the next
    // only after it posted the outcome of the last, so one array serves every event: a 6 MB SQS event is read once,
    // into memory that stays, instead of buffered and then copied into two new large-object arrays per invocation.
    private byte[] _payload = [];

    public RuntimeApiConnection(string runtimeApiAddress, HttpMessageHandler? handler = null)
    {
        _http = new HttpClient(handler ?? new SocketsHttpHandler { UseProxy = false }, disposeHandler: true)
        {
            BaseAddress = new Uri($"http://{runtimeApiAddress}/2018-06-01/"),
            // The next call blocks until an event arrives (minutes or hours): it must never time out.
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>The client-side timeout of every Runtime API call (infinite: see the constructor).</summary>
    internal TimeSpan RequestTimeout => _http.Timeout;

    public async Task<Invocation> NextAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync("runtime/invocation/next", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        var headers = response.Headers;
        var requestId = Header(headers, "Lambda-Runtime-Aws-Request-Id")
            ?? throw new InvalidOperationException("The Runtime API sent an event without Lambda-Runtime-Aws-Request-Id.");
        var deadlineMs = Header(headers, "Lambda-Runtime-Deadline-Ms");
        var deadline = long.TryParse(deadlineMs, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : throw new InvalidOperationException($"The Runtime API sent an invalid Lambda-Runtime-Deadline-Ms '{deadlineMs}'.");
        return new Invocation(
            requestId,
            deadline,
            Header(headers, "Lambda-Runtime-Invoked-Function-Arn") ?? string.Empty,
            Header(headers, "Lambda-Runtime-Trace-Id"),
            Header(headers, "Lambda-Runtime-Client-Context"),
            Header(headers, "Lambda-Runtime-Cognito-Identity"),
            await ReadPayloadAsync(response.Content, cancellationToken));
    }

    private async Task<ReadOnlyMemory<byte>> ReadPayloadAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var body = await content.ReadAsStreamAsync(cancellationToken);
        if (content.Headers.ContentLength is { } declared)
        {
            if (declared > Array.MaxLength)
            {
                throw new InvalidOperationException($"The Runtime API announced an event of {declared} bytes, more than one array holds.");
            }

            var length = (int)declared;
            Reserve(length, keep: 0);
            await body.ReadExactlyAsync(_payload.AsMemory(0, length), cancellationToken);
            return _payload.AsMemory(0, length);
        }

        // Chunked (the Runtime API sends a length, but nothing here depends on it): grow as the event arrives.
        var read = 0;
        while (true)
        {
            if (read == _payload.Length)
            {
                Reserve(Math.Max(64 * 1024, read * 2), keep: read);
            }

            var n = await body.ReadAsync(_payload.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                return _payload.AsMemory(0, read);
            }

            read += n;
        }
    }

    private void Reserve(int length, int keep)
    {
        if (_payload.Length < length)
        {
            var larger = GC.AllocateUninitializedArray<byte>(length);
            _payload.AsSpan(0, keep).CopyTo(larger);
            _payload = larger;
        }
    }

    public async Task SendResponseAsync(string requestId, byte[] response, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(response);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var answer = await _http.PostAsync($"runtime/invocation/{Uri.EscapeDataString(requestId)}/response", content, cancellationToken);
        answer.EnsureSuccessStatusCode();
    }

    public Task SendErrorAsync(string requestId, RuntimeError error, CancellationToken cancellationToken) =>
        PostErrorAsync($"runtime/invocation/{Uri.EscapeDataString(requestId)}/error", error, cancellationToken);

    public Task SendInitErrorAsync(RuntimeError error, CancellationToken cancellationToken) =>
        PostErrorAsync("runtime/init/error", error, cancellationToken);

    private async Task PostErrorAsync(string path, RuntimeError error, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(error, RuntimeJsonContext.Default.RuntimeError));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.TryAddWithoutValidation(ErrorTypeHeader, error.ErrorType);
        using var answer = await _http.SendAsync(request, cancellationToken);
        answer.EnsureSuccessStatusCode();
    }

    private static string? Header(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    public void Dispose() => _http.Dispose();
}
