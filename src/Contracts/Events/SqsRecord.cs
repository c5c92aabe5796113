using System.Text;
using System.Text.Json;

namespace Queueing.Contracts.Events;

/// <summary>
/// One record of an SQS event as <see cref="SqsEventReader"/> read it: only what the consumers use. The body and
/// the raw slices point into the event payload or the batch's unescaping buffer, so a record is valid only while
/// its <see cref="SqsRecordBatch"/> is (one invocation).
/// </summary>
public readonly struct SqsRecord
{
    internal SqsRecord(
        string messageId,
        ReadOnlyMemory<byte> body,
        string? eventSourceArn,
        int receiveCount,
        long? sentTimestamp,
        long? firstReceiveTimestamp,
        ReadOnlyMemory<byte> messageGroupIdToken,
        ReadOnlyMemory<byte> traceHeaderToken,
        ReadOnlyMemory<byte> messageAttributesJson)
    {
        MessageId = messageId;
        Body = body;
        EventSourceArn = eventSourceArn;
        ReceiveCount = receiveCount;
        SentTimestamp = sentTimestamp;
        FirstReceiveTimestamp = firstReceiveTimestamp;
        MessageGroupIdToken = messageGroupIdToken;
        TraceHeaderToken = traceHeaderToken;
        MessageAttributesJson = messageAttributesJson;
    }

    /// <summary><c>messageId</c> ("" when absent or null): the batch item failure identifier.</summary>
    public string MessageId { get; }

    /// <summary><c>body</c> as UTF-8, unescaped (empty when absent or null).</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary><c>eventSourceARN</c>; one string per batch when every record names the same queue.</summary>
    public string? EventSourceArn { get; }

    /// <summary><c>ApproximateReceiveCount</c>; 1 when absent or not a number (first delivery).</summary>
    public int ReceiveCount { get; }

    /// <summary><c>SentTimestamp</c>, Unix ms.</summary>
    public long? SentTimestamp { get; }

    /// <summary><c>ApproximateFirstReceiveTimestamp</c>, Unix ms.</summary>
    public long? FirstReceiveTimestamp { get; }

    public DateTimeOffset? SentTime => SentTimestamp is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    public DateTimeOffset? FirstReceiveTime => FirstReceiveTimestamp is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    /// <summary><c>MessageGroupId</c> (FIFO queues), made into a string on each call: only parking needs it.</summary>
    public string? MessageGroupId => StringOf(MessageGroupIdToken);

    /// <summary><c>AWSTraceHeader</c>, made into a string on each call.</summary>
    public string? TraceHeader => StringOf(TraceHeaderToken);

    /// <summary>The <c>messageAttributes</c> object as JSON text; empty when absent or null. Read only when the
    /// record is parked.</summary>
    public ReadOnlyMemory<byte> MessageAttributesJson { get; }

    /// <summary>The body as text (a copy; for parking and diagnostics).</summary>
    public string BodyText() => Encoding.UTF8.GetString(Body.Span);

    // The attribute's JSON string token, quotes included, or empty when absent or null.
    internal ReadOnlyMemory<byte> MessageGroupIdToken { get; }

    internal ReadOnlyMemory<byte> TraceHeaderToken { get; }

    private static string? StringOf(ReadOnlyMemory<byte> token)
    {
        if (token.IsEmpty)
        {
            return null;
        }

        var reader = new Utf8JsonReader(token.Span);
        reader.Read();
        return reader.GetString();
    }
}
