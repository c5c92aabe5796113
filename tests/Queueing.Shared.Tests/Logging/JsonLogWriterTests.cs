using Queueing.Shared.Logging;

namespace Queueing.Shared.Tests.Logging;

public sealed class JsonLogWriterTests
{
    [Fact]
    public void WriteLine_ClosedStream_LosesTheLineWithoutThrowing()
    {
        var stream = new MemoryStream();
        var writer = new JsonLogWriter(stream);
        stream.Dispose();

        var error = Record.Exception(() => writer.WriteLine(1, static (w, n) => { w.WriteStartObject(); w.WriteNumber("n", n); w.WriteEndObject(); }));

        Assert.Null(error);
    }

    [Fact]
    public void WriteLine_Document_EndsWithExactlyOneNewline()
    {
        using var stream = new MemoryStream();
        var writer = new JsonLogWriter(stream);

        writer.WriteLine("a", static (w, s) => { w.WriteStartObject(); w.WriteString("s", s); w.WriteEndObject(); });

        Assert.Equal("{\"s\":\"a\"}\n", System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }
}
