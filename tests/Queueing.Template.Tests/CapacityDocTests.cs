using Queueing.Template.Tests.Support;
using Queueing.Testing;

namespace Queueing.Template.Tests;

/// <summary>
/// docs/capacity.md quotes the output of bench/capacity/capacity.py, which reads the template's memory sizes, batch
/// and concurrency parameters: a template change that moves the tables must come with the regenerated page.
/// </summary>
public sealed class CapacityDocTests
{
    private const string Script = "bench/capacity/capacity.py";
    private const string InstallHint = "The capacity script needs Python 3 (standard library only).";

    [Fact]
    public async Task CapacityDoc_QuotesTheScriptsCurrentOutput()
    {
        var result = await ExternalTool.RunAsync("python3", [Script, "--check", "docs/capacity.md"], InstallHint);

        Assert.True(result.ExitCode == 0, $"Regenerate docs/capacity.md (python3 {Script}, paste between its markers):\n{result}");
    }

    [Fact]
    public async Task Check_ADocWithAStaleFigure_Fails()
    {
        using var directory = new TempDirectory();
        var stale = directory.File("capacity.md");
        var text = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "docs", "capacity.md"));
        var marker = text.IndexOf("<!-- capacity.py output: begin -->", StringComparison.Ordinal);
        var figure = text.IndexOf("**$", marker, StringComparison.Ordinal);
        Assert.True(marker >= 0 && figure > marker, "docs/capacity.md has no quoted output with a total");
        await File.WriteAllTextAsync(stale, string.Concat(text.AsSpan(0, figure + 3), "9", text.AsSpan(figure + 3)));

        var result = await ExternalTool.RunAsync("python3", [Script, "--check", stale], InstallHint);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("does not quote the current output", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Script_TakesTheFunctionsMemorySizesFromTheTemplate()
    {
        var result = await ExternalTool.RunAsync("python3", [Script], InstallHint);

        Assert.Equal(0, result.ExitCode);
        foreach (var function in new[] { "IngestFunction", "CommandApiFunction", "CommandPublisherFunction" })
        {
            var memory = ServerlessTemplate.Current.Properties(function)["MemorySize"]!.GetValue<int>();
            Assert.Contains($"| {function} memory | {memory} MB | template |", result.StandardOutput, StringComparison.Ordinal);
        }
    }
}
