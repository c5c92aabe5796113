using System.ComponentModel;
using System.Diagnostics;

namespace Queueing.Emulators.Processes;

/// <summary>
/// Starts a child process in a session, and so a process group, of its own. A terminal's Ctrl+C is SIGINT to its
/// whole foreground process group: without this, moto, Node and the function processes would die with the tool
/// before it drained. With it only the tool gets the signal, and the tool decides the order of stopping.
/// </summary>
/// <remarks>
/// .NET cannot run code between fork and exec, so the child goes through util-linux's <c>setsid(1)</c>, which
/// calls <c>setsid(2)</c> and execs the program in place: the child of a fork is never a process group leader, so
/// setsid does not fork again and the pid stays the program's. Without <c>setsid</c> on PATH (macOS) the child
/// starts as before, in the tool's group.
/// </remarks>
public static class OwnSession
{
    private static readonly Lazy<string?> SetSid = new(() => OperatingSystem.IsLinux() ? Find("setsid") : null);

    /// <summary>True when children are started in their own session here.</summary>
    public static bool Supported => SetSid.Value is not null;

    /// <summary>
    /// Rewrites <paramref name="start"/> (which must use <see cref="ProcessStartInfo.ArgumentList"/>) to run its
    /// program through <c>setsid</c>. The program is resolved first, on this process's PATH as
    /// <see cref="Process.Start()"/> resolves it, so a missing program still fails the start with a
    /// <see cref="Win32Exception"/> rather than with setsid's exit status.
    /// </summary>
    public static ProcessStartInfo Apply(ProcessStartInfo start)
    {
        if (SetSid.Value is not { } setsid)
        {
            return start;
        }

        if (!string.IsNullOrEmpty(start.Arguments))
        {
            throw new ArgumentException("Use ArgumentList: the arguments are passed on to setsid.", nameof(start));
        }

        var program = Resolve(start.FileName)
            ?? throw new Win32Exception(2, $"An error occurred trying to start process '{start.FileName}': No such file or directory");
        start.FileName = setsid;
        start.ArgumentList.Insert(0, program);
        return start;
    }

    private static string? Resolve(string fileName) =>
        fileName.Contains('/', StringComparison.Ordinal)
            ? File.Exists(fileName) ? Path.GetFullPath(fileName) : null
            : Find(fileName);

    private static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);
}
