namespace Queueing.Emulators.Lambda;

/// <summary>
/// Where function processes' stdout and stderr lines go: one writer (the tool's stderr), each line prefixed with
/// the function (and the instance when there are several), so interleaved logs stay attributable.
/// </summary>
public sealed class FunctionOutput
{
    private readonly TextWriter _writer;
    private readonly object _gate = new();

    public FunctionOutput(TextWriter writer) => _writer = writer;

    public void Line(string source, string line)
    {
        lock (_gate)
        {
            _writer.Write('[');
            _writer.Write(source);
            _writer.Write("] ");
            _writer.WriteLine(line);
            _writer.Flush();
        }
    }
}
