using System.Buffers;
using System.Text.Json;

namespace Queueing.Contracts.Events;

/// <summary>
/// Writes the partial-batch response (the JSON of <see cref="SqsBatchResponse"/>,
/// <c>{"batchItemFailures":[{"itemIdentifier":"..."}]}</c>) straight to bytes, one failure at a time. Same
/// escaping as the serialiser's defaults, so the bytes are the ones the model would give.
/// </summary>
public sealed class SqsBatchResponseWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly Utf8JsonWriter _writer;

    public SqsBatchResponseWriter()
    {
        _writer = new Utf8JsonWriter(_buffer);
        _writer.WriteStartObject();
        _writer.WriteStartArray("batchItemFailures"u8);
    }

    public int Failures { get; private set; }

    public void AddFailure(string messageId)
    {
        _writer.WriteStartObject();
        _writer.WriteString("itemIdentifier"u8, messageId);
        _writer.WriteEndObject();
        Failures++;
    }

    /// <summary>The finished response; the writer is done after this.</summary>
    public byte[] ToBytes()
    {
        _writer.WriteEndArray();
        _writer.WriteEndObject();
        _writer.Dispose();
        return _buffer.WrittenSpan.ToArray();
    }
}
