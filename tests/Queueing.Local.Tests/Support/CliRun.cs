using Queueing.Contracts.Settings;
using Queueing.Local.Cli;
using Queueing.Testing;

namespace Queueing.Local.Tests.Support;

/// <summary>The tool run in-process through its command-line entry point, with stdout and stderr captured.</summary>
internal sealed record CliRun(int ExitCode, string Out, string Error)
{
    public static async Task<CliRun> RunAsync(string[] args, string? currentDirectory = null, TimeProvider? time = null, string stdin = "")
    {
        var output = new CapturedWriter();
        var error = new CapturedWriter();
        var context = new CliContext(output, error, new StringReader(stdin), currentDirectory ?? RepositoryRoot.Path, ProcessEnvironment.Read(), time ?? TimeProvider.System);
        var exitCode = await LocalCli.RunAsync(args, context);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}
