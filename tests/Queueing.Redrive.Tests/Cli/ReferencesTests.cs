using Queueing.Redrive.Cli;
using Queueing.Testing;

namespace Queueing.Redrive.Tests.Cli;

/// <summary>The dead-letter CLI takes the contracts alone: not the function runtime, nor the SSM client it carries.</summary>
public sealed class ReferencesTests
{
    [Fact]
    public void Cli_ReferencesTheContracts_NotTheFunctionRuntimeNorSsm()
    {
        var references = AssemblyReferences.Closure(typeof(DlqCli).Assembly);

        Assert.Contains("Queueing.Contracts", references);
        Assert.Contains("AWSSDK.SQS", references);
        Assert.DoesNotContain("Queueing.Shared", references);
        Assert.DoesNotContain("AWSSDK.SimpleSystemsManagement", references);
    }
}
