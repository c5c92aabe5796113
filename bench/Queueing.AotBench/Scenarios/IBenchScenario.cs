using Queueing.Emulators.Template;
using Queueing.Local.Aws;
using Queueing.Local.Functions;

namespace Queueing.AotBench.Scenarios;

/// <summary>The local AWS and the template's view of the function a scenario runs against.</summary>
internal sealed record BenchStack(StackModel Model, FunctionDefinition Function, LocalAwsAccess Access, LocalAwsProvisioner Provisioner, LocalSecrets Secrets);

/// <summary>What a stand-in has taken so far: requests, the items they carried, and requests it refused.</summary>
internal readonly record struct StandInCount(long Requests, long Items, long Refused)
{
    public StandInCount Since(StandInCount before) => new(Requests - before.Requests, Items - before.Items, Refused - before.Refused);
}

/// <summary>
/// One function's workload: the stand-in it calls, the events it gets, and how a clean answer looks. A scenario
/// refuses (returns the problem) rather than reports a run in which anything failed or went missing.
/// </summary>
internal interface IBenchScenario : IAsyncDisposable
{
    /// <summary>What one of <see cref="ItemsPerInvocation"/> is called in the report: record, command, request.</summary>
    string Unit { get; }

    int ItemsPerInvocation { get; }

    /// <summary>Starts the stand-in; returns the function's environment overrides that point it there.</summary>
    Task<IReadOnlyDictionary<string, string>> StartAsync(BenchStack stack, CancellationToken cancellationToken);

    /// <summary>One line for the report: the workload and the stand-in.</summary>
    string Describe();

    byte[] NextEvent();

    /// <summary>What the stand-in took so far; read before and after each invocation, the second time after <see cref="Check"/>.</summary>
    StandInCount Count();

    /// <summary>Null when the response and what the stand-in took (<paramref name="taken"/>) are what a clean invocation gives.</summary>
    string? Check(byte[] response, StandInCount taken);

    /// <summary>Checks that need the whole run (the command API's queue); null when clean.</summary>
    Task<string?> CheckRunAsync(CancellationToken cancellationToken);
}
