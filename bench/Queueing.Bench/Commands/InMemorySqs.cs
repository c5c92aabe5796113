using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Amazon;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Internal;
using Amazon.SQS.Model;

namespace Queueing.Bench.Commands;

/// <summary>
/// An <see cref="AmazonSQSClient"/> whose <c>SendMessageAsync</c> answers at once, without marshalling, signing
/// or HTTP: what is left is the command API's own CPU work. The last request is kept so a benchmark can check
/// it built a real message.
/// </summary>
internal sealed class InstantSqsClient() : AmazonSQSClient(new BasicAWSCredentials("bench", "bench"), new AmazonSQSConfig { RegionEndpoint = RegionEndpoint.USEast1 })
{
    private static readonly Task<SendMessageResponse> Sent = Task.FromResult(new SendMessageResponse
    {
        MessageId = "5fea7756-0ea4-451a-a703-a558b933e274",
        SequenceNumber = "18849496460467696128",
        HttpStatusCode = HttpStatusCode.OK,
    });

    public SendMessageRequest? LastRequest { get; private set; }

    public int Sends { get; private set; }

    public override Task<SendMessageResponse> SendMessageAsync(SendMessageRequest request, CancellationToken cancellationToken = default)
    {
        LastRequest = request;
        Sends++;
        return Sent;
    }
}

/// <summary>
/// The real <see cref="AmazonSQSClient"/> (JSON marshalling, SigV4 signing, retry pipeline, response parsing and
/// its MD5 check) over an in-memory transport that answers SendMessage the way SQS does: 200 with the MD5s of
/// the body and attributes it received. Answers are memoised by request bytes (a byte compare), so the
/// stand-in's own JSON parsing is not counted when the benchmark repeats the same request.
/// </summary>
internal sealed class InMemorySqsTransport : HttpMessageHandler
{
    private (byte[] Request, byte[] Response)? _last;

    public int Sends { get; private set; }

    public static AmazonSQSClient CreateClient(InMemorySqsTransport transport) => new(
        new BasicAWSCredentials("bench", "bench"),
        new AmazonSQSConfig
        {
            RegionEndpoint = RegionEndpoint.USEast1,
            IgnoreConfiguredEndpointUrls = true,
            HttpClientFactory = new SingleClientFactory(new HttpClient(transport)),
        });

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var target = request.Headers.TryGetValues("X-Amz-Target", out var values) ? values.FirstOrDefault() : null;
        if (target != "AmazonSQS.SendMessage" || !request.Headers.Contains("Authorization"))
        {
            throw new InvalidOperationException($"The SQS stand-in only takes signed SendMessage calls, got '{target}'.");
        }

        var body = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
        var last = _last;
        byte[] answer;
        if (last is { } known && known.Request.AsSpan().SequenceEqual(body))
        {
            answer = known.Response;
        }
        else
        {
            answer = Answer(body);
            _last = (body, answer);
        }

        Sends++;
        var content = new ByteArrayContent(answer);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.0");
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request };
        response.Headers.Add("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000");
        return response;
    }

    private static byte[] Answer(byte[] requestJson)
    {
        using var document = JsonDocument.Parse(requestJson);
        var root = document.RootElement;
        var attributes = new Dictionary<string, MessageAttributeValue>(StringComparer.Ordinal);
        if (root.TryGetProperty("MessageAttributes", out var map))
        {
            foreach (var attribute in map.EnumerateObject())
            {
                attributes[attribute.Name] = new MessageAttributeValue
                {
                    DataType = attribute.Value.GetProperty("DataType").GetString(),
                    StringValue = attribute.Value.GetProperty("StringValue").GetString(),
                };
            }
        }

        var answer = new Dictionary<string, string>
        {
            ["MD5OfMessageBody"] = ValidationResponseHandler.CalculateMD5(root.GetProperty("MessageBody").GetString()!),
            ["MD5OfMessageAttributes"] = ValidationResponseHandler.CalculateMD5(attributes),
            ["MessageId"] = Guid.NewGuid().ToString("D"),
            ["SequenceNumber"] = "18849496460467696128",
        };
        return Encoding.UTF8.GetBytes(JsonSerializer.Serialize(answer));
    }

    private sealed class SingleClientFactory(HttpClient client) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => client;

        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;
    }
}

/// <summary>
/// An <see cref="AmazonSQSClient"/> whose <c>SendMessageBatchAsync</c> confirms every entry at once: the command
/// publisher's status messages (issue 15) cost their building, not a network, so the publisher's figures stay about
/// its own work. The entries sent are counted, so a run can check every status was handed over.
/// </summary>
internal sealed class InstantBatchSqsClient() : AmazonSQSClient(new BasicAWSCredentials("bench", "bench"), new AmazonSQSConfig { RegionEndpoint = RegionEndpoint.USEast1 })
{
    private int _entries;

    public int Entries => Volatile.Read(ref _entries);

    public override Task<SendMessageBatchResponse> SendMessageBatchAsync(SendMessageBatchRequest request, CancellationToken cancellationToken = default)
    {
        Interlocked.Add(ref _entries, request.Entries.Count);
        return Task.FromResult(new SendMessageBatchResponse
        {
            Successful = [.. request.Entries.Select(e => new SendMessageBatchResultEntry { Id = e.Id, MessageId = e.Id })],
            Failed = [],
            HttpStatusCode = HttpStatusCode.OK,
        });
    }
}
