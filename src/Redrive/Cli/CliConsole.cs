using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Spectre.Console;

namespace Queueing.Redrive.Cli;

/// <summary>
/// Where a command writes. Tables and summaries go to <see cref="Out"/> (stdout); JSON lines go raw to
/// <see cref="Output"/> (stdout, nothing else on it under --json); progress, notes and errors go to stderr so a
/// script reading stdout sees only data.
/// </summary>
internal sealed class CliConsole
{
    public CliConsole(TextWriter output, TextWriter error, IAnsiConsole @out, IAnsiConsole err)
    {
        Output = output;
        Error = error;
        Out = @out;
        Err = err;
    }

    public TextWriter Output { get; }
    public TextWriter Error { get; }
    public IAnsiConsole Out { get; }
    public IAnsiConsole Err { get; }

    public static CliConsole ForProcess() => new(
        Console.Out,
        Console.Error,
        ForStream(Console.Out, Console.IsOutputRedirected),
        ForStream(Console.Error, Console.IsErrorRedirected));

    /// <summary>Plain text, no colours, not interactive, wide: what tests and redirected output read.</summary>
    public static CliConsole ForWriters(TextWriter output, TextWriter error, int width = 240) =>
        new(output, error, Plain(output, width), Plain(error, width));

    /// <summary>A note for the operator on stderr, as one unwrapped line (easy to grep in CI logs).</summary>
    public void Note(string text) => Error.WriteLine(text);

    /// <summary>One --json line of the given shape (its source-generated type info) on <see cref="Output"/>.</summary>
    public void WriteJsonLine<T>(T line, JsonTypeInfo<T> shape) => Output.WriteLine(JsonSerializer.Serialize(line, shape));

    private static IAnsiConsole ForStream(TextWriter writer, bool redirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        if (redirected)
        {
            // A file or a pipe has no width; Spectre's default of 80 would wrap every table.
            console.Profile.Width = 200;
        }

        return console;
    }

    private static IAnsiConsole Plain(TextWriter writer, int width)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = width;
        return console;
    }
}
