namespace Queueing.Local.Cli;

/// <summary>What a command reads and writes outside itself, so tests run the tool in-process.</summary>
internal sealed record CliContext(
    TextWriter Out,
    TextWriter Error,
    TextReader In,
    string CurrentDirectory,
    IReadOnlyDictionary<string, string> HostEnvironment,
    TimeProvider Time)
{
    /// <summary>Stdout is a terminal: <c>up</c> draws its live view (otherwise it writes status lines).</summary>
    public bool Interactive { get; init; }
}
