using System.Net;
using Queueing.Actuate.Publisher;

namespace Queueing.Bench.Commands;

/// <summary>
/// IoT Data Publish answered in memory: every signed <c>POST /topics/...</c> gets 200 with an empty body, as
/// IoT Core answers an accepted publish. What remains is the publisher's CPU work: the URL, the user properties,
/// SigV4 signing and the HttpClient pipeline.
/// </summary>
internal sealed class InMemoryIotData : HttpMessageHandler
{
    public int Published { get; private set; }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Method != HttpMethod.Post
            || request.RequestUri?.AbsolutePath.StartsWith("/topics/", StringComparison.Ordinal) != true
            || !request.Headers.Contains("Authorization")
            || !request.Headers.Contains(MqttUserProperties.Header))
        {
            throw new InvalidOperationException($"Not a signed IoT Data Publish: {request.Method} {request.RequestUri}");
        }

        Published++;
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([]), RequestMessage = request });
    }
}
