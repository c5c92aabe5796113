using System.Text.Json;
using Queueing.Redrive.Aws;
using Queueing.Redrive.Cli;
using Queueing.Testing;

namespace Queueing.Redrive.Tests.Support;

/// <summary>Runs queueing-dlq in-process through its real entry point, against moto, and captures what it wrote.</summary>
internal sealed class CliRunner(MotoServer moto, TimeProvider? time = null, SqsRequestLog? requests = null)
{
    public Task<CliResult> RunAsync(params string[] args) =>
        RunAgainstAsync(moto.Endpoint, CancellationToken.None, args);

    public Task<CliResult> RunAgainstAsync(Uri endpoint, params string[] args) =>
        RunAgainstAsync(endpoint, CancellationToken.None, args);

    /// <summary>Runs with a token the test cancels, as Ctrl+C does for the real process.</summary>
    public Task<CliResult> RunCancellableAsync(CancellationToken cancellationToken, params string[] args) =>
        RunAgainstAsync(moto.Endpoint, cancellationToken, args);

    private async Task<CliResult> RunAgainstAsync(Uri endpoint, CancellationToken cancellationToken, string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        string[] all = ["--endpoint-url", endpoint.ToString(), "--region", MotoServer.Region, .. args];
        var code = await DlqCli.RunAsync(
            all,
            CliConsole.ForWriters(output, error),
            new SqsClientFactory(moto.Credentials, requests),
            time ?? TimeProvider.System,
            cancellationToken);
        return new CliResult(code, output.ToString(), error.ToString());
    }
}

internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    public IReadOnlyList<JsonElement> JsonLines() =>
        [.. Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}
