using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Amazon.Runtime;

namespace Queueing.Testing;

/// <summary>
/// The SQS requests a client sent over the wire (the SDK's JSON protocol), recorded on their way to the real moto.
/// For what moto does not keep: its SendMessageBatch drops the entries' <c>MessageSystemAttributes</c>
/// (<c>AWSTraceHeader</c>), which SendMessage keeps; what the client sent is still checkable here.
/// </summary>
public sealed class SqsRequestLog : HttpClientFactory
{
    private readonly ConcurrentQueue<(string Action, JsonObject Body)> _requests = new();

    /// <summary>Every request of <paramref name="action"/> (<c>SendMessageBatch</c>, ...), in the order sent.</summary>
    public IReadOnlyList<JsonObject> Of(string action) => [.. _requests.Where(r => r.Action == action).Select(r => r.Body)];

    public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
        new(new Recorder(this, new SocketsHttpHandler { UseProxy = false }));

    // One client per config: the recorder must see every request of the client it was given to.
    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    private sealed class Recorder(SqsRequestLog log, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is not null && request.Headers.TryGetValues("X-Amz-Target", out var targets))
            {
                await request.Content.LoadIntoBufferAsync(cancellationToken);
                var body = await request.Content.ReadAsStringAsync(cancellationToken);
                var action = targets.First();
                action = action[(action.LastIndexOf('.') + 1)..];
                log._requests.Enqueue((action, JsonNode.Parse(body) as JsonObject ?? []));
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
