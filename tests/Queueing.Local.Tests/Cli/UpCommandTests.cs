using Queueing.Local.Cli;
using Queueing.Local.Tests.Support;

namespace Queueing.Local.Tests.Cli;

/// <summary><c>up</c>'s command line: the default command, its documented flags, usage errors before anything starts.</summary>
public sealed class UpCommandTests
{
    [Theory]
    [InlineData(new string[0], new[] { "up" })]
    [InlineData(new[] { "--devices", "3" }, new[] { "up", "--devices", "3" })]
    [InlineData(new[] { "--help" }, new[] { "--help" })]
    [InlineData(new[] { "-h" }, new[] { "-h" })]
    [InlineData(new[] { "invoke", "IngestFunction" }, new[] { "invoke", "IngestFunction" })]
    [InlineData(new[] { "up", "--messages", "5" }, new[] { "up", "--messages", "5" })]
    public void DefaultCommand_IsUp_WhenNoCommandIsGiven(string[] args, string[] expected) =>
        Assert.Equal(expected, LocalCli.WithDefaultCommand(args));

    [Fact]
    public async Task Help_DocumentsEveryFlag()
    {
        var run = await CliRun.RunAsync(["up", "--help"]);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        foreach (var flag in new[]
        {
            "--devices", "--legacy-devices", "--interval", "--messages", "--duration", "--concurrency", "--waylay-fail-rate", "--waylay-throttle-rate",
            "--waylay-latency", "--waylay-seed", "--ack-failure-rate", "--ack-silence-rate", "--retry-delay", "--drain-timeout", "--plain", "--log-file", "--template",
            "--parameter-overrides", "--aws-endpoint", "--no-build", "--configuration", "--waylay-api-key", "--waylay-api-secret", "--signing-secret",
        })
        {
            Assert.Contains(flag, run.Out);
        }
    }

    [Fact]
    public async Task RootHelp_ListsUpAsTheDefaultCommand()
    {
        var run = await CliRun.RunAsync(["--help"]);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("up", run.Out);
        Assert.Contains("default command", run.Out);
    }

    [Theory]
    [InlineData("--devices", "0", "--devices must be between 1 and 1000")]
    [InlineData("--legacy-devices", "-1", "--legacy-devices must be between 0 and 1000")]
    [InlineData("--concurrency", "0", "--concurrency must be between 1 and 64")]
    [InlineData("--messages", "0", "--messages must be at least 1")]
    [InlineData("--waylay-fail-rate", "1.5", "fail rate must be between 0 and 1")]
    [InlineData("--waylay-latency", "soon", "--waylay-latency")]
    [InlineData("--ack-failure-rate", "1.5", "--ack-failure-rate must be between 0 and 1")]
    [InlineData("--ack-silence-rate", "-0.5", "--ack-silence-rate must be between 0 and 1")]
    [InlineData("--duration", "-3s", "--duration must be a positive duration")]
    [InlineData("--interval", "fast", "--interval must be a non-negative duration")]
    public async Task BadValues_AreUsageErrors_BeforeAnythingStarts(string flag, string value, string message)
    {
        var run = await CliRun.RunAsync(["up", flag, value, "--plain"]);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains(message, run.Error);
        Assert.DoesNotContain("Building", run.Error);
    }

    [Theory]
    [InlineData(new[] { "--parameter-overrides", "NoSuchParameter=1" }, "NoSuchParameter")]
    // --legacy-devices publish on the template's legacy topic, which is empty unless overridden.
    [InlineData(new[] { "--legacy-devices", "2" }, "--parameter-overrides LegacyTelemetryTopicFilter=<topic filter>")]
    public async Task TemplateThatCannotServeTheRun_IsAUsageError_NamingTheProblem(string[] args, string message)
    {
        var run = await CliRun.RunAsync(["up", "--plain", .. args]);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains(message, run.Error);
        Assert.DoesNotContain("Building", run.Error);
    }
}
