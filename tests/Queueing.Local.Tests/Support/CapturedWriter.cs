using System.Text;

namespace Queueing.Local.Tests.Support;

/// <summary>A thread-safe TextWriter collecting everything written, for asserting on a command's stdout/stderr.</summary>
internal sealed class CapturedWriter : StringWriter
{
    private readonly object _gate = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_gate)
        {
            base.Write(value);
        }
    }

    public override void Write(string? value)
    {
        lock (_gate)
        {
            base.Write(value);
        }
    }

    public override void WriteLine(string? value)
    {
        lock (_gate)
        {
            base.WriteLine(value);
        }
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return base.ToString();
        }
    }
}
