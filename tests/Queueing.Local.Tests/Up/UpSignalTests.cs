using System.Globalization;
using System.Text.RegularExpressions;
using Queueing.Local.Cli;
using Queueing.Local.Tests.Support;
using Queueing.Testing;

namespace Queueing.Local.Tests.Up;

/// <summary>
/// <c>up</c> as a real process in a terminal's position: leading its own process group, Ctrl+C sent as a terminal
/// sends it (SIGINT to the whole group), and a dependency killed under it. Every process it started must be gone
/// when it exits.
/// </summary>
[Collection(UpCollection.Name)]
public sealed partial class UpSignalTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(180);
    private readonly TempDirectory _directory = new();

    [Fact]
    public async Task CtrlC_SigintToTheWholeProcessGroup_DrainsPrintsTheBooksStopsEveryChildAndExits130()
    {
        await using var tool = StartUp();
        await tool.WaitForErrorLineAsync(StatusLine(), StartTimeout);
        var children = await ProcessTable.DescendantsAsync(tool.Pid);
        // The premise: the tool leads its group (as a shell's foreground job does), its children are elsewhere.
        Assert.Equal(tool.Pid, (await ProcessTable.ReadAsync()).Single(p => p.Pid == tool.Pid).ProcessGroup);
        Assert.Contains(children, c => c.Command.Contains("moto.server", StringComparison.Ordinal));
        Assert.Contains(children, c => c.Command.StartsWith("/usr/bin/node", StringComparison.Ordinal) || c.Command.StartsWith("node", StringComparison.Ordinal));
        Assert.Equal(3, children.Count(c => c.Command.Contains("Queueing.Ingest", StringComparison.Ordinal) || c.Command.Contains("Queueing.Actuate", StringComparison.Ordinal)));

        tool.SignalGroup(ToolProcess.SigInt);
        var exitCode = await tool.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exitCode == ExitCodes.Cancelled, $"exit {exitCode}\n{tool}");
        Assert.DoesNotContain("Unhandled exception", tool.Error, StringComparison.Ordinal);
        // Books after a drain: moto, Node and the functions outlived the SIGINT, so everything sent was accounted for.
        var books = Books().Matches(tool.Out);
        Assert.True(books.Count == 2, tool.ToString());
        Assert.All(books, b => Assert.Equal(b.Groups["sent"].Value, b.Groups["delivered"].Value));
        Assert.True(int.Parse(books[0].Groups["sent"].Value, CultureInfo.InvariantCulture) > 0, tool.Out);
        Assert.Empty(await ProcessTable.StillRunningAsync(children));
    }

    [Theory]
    [InlineData("moto.server", "moto_server (the local AWS")]
    [InlineData("node -e", "The Waylay plug host (Node.js")]
    public async Task DependencyKilledMidRun_EndsWithOneLineNamingIt_TheBooksSoFar_Exit3_NothingLeftRunning(string command, string name)
    {
        await using var tool = StartUp();
        await tool.WaitForErrorLineAsync(StatusLine(), StartTimeout);
        var children = await ProcessTable.DescendantsAsync(tool.Pid);
        var victim = children.Single(c => c.Command.Contains(command, StringComparison.Ordinal));

        ToolProcess.Signal(victim.Pid, ToolProcess.SigKill);
        var exitCode = await tool.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exitCode == ExitCodes.Environment, $"exit {exitCode}\n{tool}");
        Assert.DoesNotContain("Unhandled exception", tool.Error, StringComparison.Ordinal);
        var lines = tool.Error.Split('\n').Where(l => l.StartsWith(name, StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count == 1, tool.ToString());
        Assert.StartsWith($"{name}, pid {victim.Pid}) exited (signal 9)", lines[0], StringComparison.Ordinal);
        Assert.Matches(@"(?m)^telemetry: sent \d+, delivered \d+, ", tool.Out);
        Assert.Matches(@"(?m)^commands: sent \d+, delivered \d+, ", tool.Out);
        Assert.Empty(await ProcessTable.StillRunningAsync(children));
    }

    private ToolProcess StartUp() => ToolProcess.StartInOwnSession(
        "up", "--devices", "2", "--interval", "200ms", "--plain", "--no-build", "--configuration", TestFunctionBinary.Configuration,
        "--log-file", _directory.File("up.log"));

    public void Dispose() => _directory.Dispose();

    /// <summary>The first status line: the stack is up and messages are moving.</summary>
    [GeneratedRegex(@"^\[\d\d:\d\d\] published [1-9]")]
    private static partial Regex StatusLine();

    [GeneratedRegex(@"(?m)^(?<flow>telemetry|commands): sent (?<sent>\d+), delivered (?<delivered>\d+), dead-lettered 0, lost 0$")]
    private static partial Regex Books();
}
