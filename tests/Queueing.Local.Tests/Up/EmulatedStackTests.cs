using Queueing.Local.Cli;
using Queueing.Local.Tests.Support;
using Queueing.Local.Up;
using Queueing.Testing;

namespace Queueing.Local.Tests.Up;

/// <summary>
/// The stack knows nothing of the command line: it takes plain options and refuses what it cannot run with its own
/// exception; <c>up</c> turns that into a usage error (exit code 2). Both checked before anything is built or started.
/// </summary>
public sealed class EmulatedStackTests
{
    [Fact]
    public async Task StartAsync_NoWaylayFolderBesideTheTemplate_ThrowsStackSetupExceptionBeforeBuilding()
    {
        using var directory = TemplateWithoutWaylay();
        var progress = new List<string>();

        var refused = await Assert.ThrowsAsync<StackSetupException>(() => EmulatedStack.StartAsync(
            new EmulatedStackOptions { TemplatePath = directory.File("serverless.template") },
            TextWriter.Null,
            progress.Add,
            CancellationToken.None));

        Assert.Contains($"reads {Path.Combine(directory.Path, "waylay", "templates")}, which does not exist", refused.Message, StringComparison.Ordinal);
        Assert.Empty(progress);
    }

    [Fact]
    public async Task StartAsync_LegacyDevicesWithoutTheLegacyTopic_ThrowsStackSetupExceptionNamingTheParameter()
    {
        var refused = await Assert.ThrowsAsync<StackSetupException>(() => EmulatedStack.StartAsync(
            new EmulatedStackOptions { TemplatePath = RepositoryRoot.File("serverless.template"), LegacyDevices = 1 },
            TextWriter.Null,
            _ => { },
            CancellationToken.None));

        Assert.Contains("--parameter-overrides LegacyTelemetryTopicFilter=<topic filter>", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Up_NoWaylayFolderBesideTheTemplate_IsAUsageErrorNamingTheFolder()
    {
        using var directory = TemplateWithoutWaylay();

        var run = await CliRun.RunAsync(["up", "--plain", "--template", directory.File("serverless.template"), "--log-file", directory.File("up.log")]);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("which does not exist (it sits beside the template)", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Building", run.Error, StringComparison.Ordinal);
    }

    private static TempDirectory TemplateWithoutWaylay()
    {
        var directory = new TempDirectory();
        File.Copy(RepositoryRoot.File("serverless.template"), directory.File("serverless.template"));
        return directory;
    }
}
