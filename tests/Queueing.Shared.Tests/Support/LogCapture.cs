using System.Text;
using System.Text.Json;
using Queueing.Shared.Logging;

namespace Queueing.Shared.Tests.Support;

/// <summary>A stream that keeps what a <see cref="JsonLogWriter"/> writes, readable as lines or JSON documents.</summary>
internal sealed class LogCapture : Stream
{
    private readonly MemoryStream _buffer = new();

    public LogCapture() => Writer = new JsonLogWriter(this);

    public JsonLogWriter Writer { get; }

    public string Text
    {
        get { lock (_buffer) { return Encoding.UTF8.GetString(_buffer.ToArray()); } }
    }

    /// <summary>Every line written; the text always ends with a newline, so the last split part is empty.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            var text = Text;
            Assert.True(text.Length == 0 || text.EndsWith('\n'), "The log does not end with a newline.");
            return text.Length == 0 ? [] : text[..^1].Split('\n');
        }
    }

    public IReadOnlyList<JsonElement> Documents => [.. Lines.Select(line => JsonDocument.Parse(line).RootElement.Clone())];

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        lock (_buffer)
        {
            _buffer.Write(buffer);
        }
    }

    public override void Flush()
    {
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
