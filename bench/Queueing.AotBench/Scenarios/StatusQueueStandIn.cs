using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Queueing.Contracts.Commands;
using Queueing.Contracts.Events;
using Queueing.Emulators.Hosting;
using Queueing.Local.Events;

namespace Queueing.AotBench.Scenarios;

/// <summary>One status entry the stand-in took: what the contract reader made of its body, and its delay.</summary>
internal sealed record StatusEntry(CommandStatusMessage? Message, string? Problem, int DelaySeconds);

/// <summary>
/// IngestQueue for the publisher scenario: SQS's JSON protocol (<c>POST /</c>, <c>X-Amz-Target:
/// AmazonSQS.SendMessageBatch</c>, <c>application/x-amz-json-1.0</c>) on loopback, answering at once and keeping
/// nothing but the entries of the current invocation. Each entry's body is read with the contract's own reader
/// (<see cref="CommandStatusMessage.TryRead"/>, Ingest's strict one); the answer carries what SQS computes and the SDK
/// checks: <c>MD5OfMessageBody</c> (the SDK refuses an answer without the right one), and, as SQS does,
/// <c>MD5OfMessageAttributes</c> and <c>MD5OfMessageSystemAttributes</c> for entries that have them. Any other
/// operation, another queue URL or a malformed request is refused (400) and counted: the bench then fails the run.
/// moto stays the SQS of everything else in the stack.
/// </summary>
internal sealed class StatusQueueStandIn : IAsyncDisposable
{
    public const string SendMessageBatchTarget = "AmazonSQS.SendMessageBatch";
    private const string JsonProtocol = "application/x-amz-json-1.0";

    private readonly string _queuePath;
    private readonly ConcurrentQueue<StatusEntry> _entries = new();
    private LoopbackHttpHost? _host;
    private long _requests;
    private long _taken;
    private long _refused;
    private string? _lastRefusal;

    private StatusQueueStandIn(string queuePath) => _queuePath = queuePath;

    /// <summary>The queue URL to give the publisher (the template's IngestQueue path on this host).</summary>
    public string QueueUrl { get; private set; } = string.Empty;

    /// <summary><c>http://127.0.0.1:port</c>: the SQS endpoint (<c>AWS_ENDPOINT_URL_SQS</c>).</summary>
    public string Endpoint { get; private set; } = string.Empty;

    public long Requests => Interlocked.Read(ref _requests);

    public long Taken => Interlocked.Read(ref _taken);

    public long Refused => Interlocked.Read(ref _refused);

    public string? LastRefusal => Volatile.Read(ref _lastRefusal);

    /// <summary>Starts on a free port, answering for the queue whose URL ends in <paramref name="queuePath"/>.</summary>
    public static async Task<StatusQueueStandIn> StartAsync(string queuePath, CancellationToken cancellationToken)
    {
        var standIn = new StatusQueueStandIn(queuePath);
        standIn._host = await LoopbackHttpHost.StartAsync(standIn.HandleAsync, new LoopbackHttpHostOptions(), cancellationToken);
        standIn.Endpoint = standIn._host.BaseAddress.ToString().TrimEnd('/');
        standIn.QueueUrl = standIn.Endpoint + queuePath;
        return standIn;
    }

    /// <summary>The entries taken since the last call, oldest first.</summary>
    public List<StatusEntry> Drain()
    {
        var entries = new List<StatusEntry>();
        while (_entries.TryDequeue(out var entry))
        {
            entries.Add(entry);
        }

        return entries;
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        var request = context.Request;
        var target = request.Headers["X-Amz-Target"].ToString();
        if (!HttpMethods.IsPost(request.Method) || request.Path != "/" || target != SendMessageBatchTarget
            || !request.ContentType.AsSpan().StartsWith(JsonProtocol, StringComparison.Ordinal))
        {
            await RefuseAsync(context, "InvalidAction", $"The status queue stand-in answers only POST / {SendMessageBatchTarget} ({JsonProtocol}); got {request.Method} {request.Path} '{target}' ({request.ContentType}).");
            return;
        }

        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted);
        string answer;
        try
        {
            using var document = JsonDocument.Parse(body.GetBuffer().AsMemory(0, (int)body.Length));
            if (Answer(document.RootElement, out var problem) is not { } written)
            {
                await RefuseAsync(context, "InvalidParameterValue", problem!);
                return;
            }

            answer = written;
        }
        catch (JsonException ex)
        {
            await RefuseAsync(context, "InvalidParameterValue", "The request is not JSON: " + ex.Message);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = JsonProtocol;
        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        await context.Response.WriteAsync(answer, context.RequestAborted);
    }

    /// <summary>The SendMessageBatch answer for a valid request (every entry taken); null with the problem otherwise.</summary>
    private string? Answer(JsonElement root, out string? problem)
    {
        problem = null;
        var queueUrl = root.TryGetProperty("QueueUrl", out var url) && url.ValueKind == JsonValueKind.String ? url.GetString() : null;
        if (queueUrl is null || !Uri.TryCreate(queueUrl, UriKind.Absolute, out var uri) || uri.AbsolutePath != _queuePath)
        {
            problem = $"QueueUrl '{queueUrl}' is not the status queue ({_queuePath}).";
            return null;
        }

        if (!root.TryGetProperty("Entries", out var entries) || entries.ValueKind != JsonValueKind.Array || entries.GetArrayLength() is 0 or > 10)
        {
            problem = "Entries must be an array of 1 to 10 entries.";
            return null;
        }

        var taken = new List<StatusEntry>(entries.GetArrayLength());
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("Successful");
            foreach (var entry in entries.EnumerateArray())
            {
                var id = entry.TryGetProperty("Id", out var idValue) && idValue.ValueKind == JsonValueKind.String ? idValue.GetString() : null;
                var messageBody = entry.TryGetProperty("MessageBody", out var bodyValue) && bodyValue.ValueKind == JsonValueKind.String ? bodyValue.GetString() : null;
                if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(messageBody))
                {
                    problem = $"Entry '{id}' has no Id or no MessageBody.";
                    return null;
                }

                var delay = entry.TryGetProperty("DelaySeconds", out var delayValue) && delayValue.TryGetInt32(out var seconds) ? seconds : 0;
                var bodyBytes = Encoding.UTF8.GetBytes(messageBody);
                taken.Add(CommandStatusMessage.TryRead(bodyBytes, out var message, out var error)
                    ? new StatusEntry(message, null, delay)
                    : new StatusEntry(null, error, delay));

                writer.WriteStartObject();
                writer.WriteString("Id", id);
                writer.WriteString("MessageId", Guid.NewGuid().ToString());
                writer.WriteString("MD5OfMessageBody", Convert.ToHexStringLower(MD5.HashData(bodyBytes)));
                if (AttributesMd5(entry, "MessageAttributes") is { } attributesMd5)
                {
                    writer.WriteString("MD5OfMessageAttributes", attributesMd5);
                }

                if (AttributesMd5(entry, "MessageSystemAttributes") is { } systemMd5)
                {
                    writer.WriteString("MD5OfMessageSystemAttributes", systemMd5);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartArray("Failed");
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        foreach (var entry in taken)
        {
            _entries.Enqueue(entry);
        }

        Interlocked.Add(ref _taken, taken.Count);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>SQS's MD5 of an entry's (system) attributes, the digest the SDK recomputes; null when it has none.</summary>
    private static string? AttributesMd5(JsonElement entry, string member)
    {
        if (!entry.TryGetProperty(member, out var attributes) || attributes.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var values = new Dictionary<string, SqsMessageAttribute>(StringComparer.Ordinal);
        foreach (var attribute in attributes.EnumerateObject())
        {
            values[attribute.Name] = new SqsMessageAttribute
            {
                DataType = attribute.Value.TryGetProperty("DataType", out var type) ? type.GetString() ?? string.Empty : string.Empty,
                StringValue = attribute.Value.TryGetProperty("StringValue", out var text) ? text.GetString() : null,
                BinaryValue = attribute.Value.TryGetProperty("BinaryValue", out var binary) ? binary.GetBytesFromBase64() : null,
            };
        }

        return SqsMessageAttributesMd5.Compute(values);
    }

    private async Task RefuseAsync(HttpContext context, string code, string message)
    {
        Interlocked.Increment(ref _refused);
        Volatile.Write(ref _lastRefusal, message);
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = JsonProtocol;
        context.Response.Headers["x-amzn-query-error"] = $"AWS.SimpleQueueService.{code};Sender";
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("__type", "com.amazonaws.sqs#" + code);
            writer.WriteString("message", message);
            writer.WriteEndObject();
        }

        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is { } host)
        {
            _host = null;
            await host.DisposeAsync();
        }
    }
}
