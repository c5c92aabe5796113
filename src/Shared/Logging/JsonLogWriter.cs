using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Queueing.Shared.Logging;

/// <summary>
/// Writes whole JSON documents as single lines to one stream (stdout in Lambda, where each line becomes one
/// CloudWatch Logs event). Lines from concurrent writers never interleave.
/// </summary>
public sealed class JsonLogWriter
{
    // Relaxed escaping keeps quotes, accents and '<' readable in CloudWatch; the lines are never embedded in HTML.
    // Control characters and quotes are still escaped, so every line stays one valid JSON document.
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        SkipValidation = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
    private readonly Stream _stream;
    private readonly Lock _gate = new();

    public JsonLogWriter(Stream stream) => _stream = stream;

    public static JsonLogWriter StandardOutput { get; } = new(Console.OpenStandardOutput());

    /// <summary>Builds one JSON document with <paramref name="write"/> and emits it as one line.</summary>
    public void WriteLine<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer, state);
        }

        buffer.Write("\n"u8);
        lock (_gate)
        {
            try
            {
                _stream.Write(buffer.WrittenSpan);
                _stream.Flush();
            }
            // Logging never fails a request: a closed stdout loses the line, not the invocation.
            catch (IOException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }
}
