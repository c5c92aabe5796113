using Queueing.Template.Tests.Support;

namespace Queueing.Template.Tests;

public sealed class CfnLintTests
{
    [Fact]
    public async Task CfnLint_ServerlessTemplate_ReportsNothing()
    {
        var result = await ExternalTool.RunAsync(
            "cfn-lint",
            ["--format", "parseable", "--", "serverless.template"],
            "Install it with: python3 -m pip install cfn-lint");

        // cfn-lint exits non-zero for errors, warnings and informational findings alike; any line is a finding.
        Assert.True(result.ExitCode == 0 && result.StandardOutput.Trim().Length == 0, $"cfn-lint found problems:\n{result}");
    }
}
