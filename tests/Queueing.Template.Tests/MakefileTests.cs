using Queueing.Template.Tests.Support;
using Queueing.Testing;

namespace Queueing.Template.Tests;

public sealed class MakefileTests
{
    private const string MakeInstallHint = "Install GNU make (apt-get install make).";

    private readonly ServerlessTemplate _template = ServerlessTemplate.Current;

    [Fact]
    public void Makefile_EveryMakefileBuiltFunction_HasItsSamBuildTarget()
    {
        var targets = MakefileTargets.Parse(File.ReadAllText(RepositoryRoot.File("Makefile")));

        var functions = _template.ResourcesOfType(ServerlessTemplate.FunctionType)
            .Where(id => _template.Resource(id)["Metadata"]?["BuildMethod"]?.GetValue<string>() == "makefile")
            .ToList();
        Assert.Equal(3, functions.Count);
        Assert.All(functions, id => Assert.Contains($"build-{id}", targets));
        Assert.Superset(new HashSet<string> { "build", "test", "lint", "clean" }, targets.ToHashSet());
    }

    [Fact]
    public void MakefileTargets_VariablesAndRecipes_AreNotTargets()
    {
        var targets = MakefileTargets.Parse("A := 1\nB ?= x:y\nbuild-X: dep\n\tcp a:b c\n# note: no\nall clean: \n");

        Assert.Equal(new HashSet<string> { "build-X", "all", "clean" }, targets.ToHashSet());
    }

    [Fact]
    public async Task BuildIngestFunction_DryRun_PublishesTheIngestProjectNativelyIntoBootstrap()
    {
        using var artifacts = new TempDirectory();
        var destination = Path.Combine(artifacts.Path, "IngestFunction");

        var result = await ExternalTool.RunAsync("make", ["-n", "build-IngestFunction", $"ARTIFACTS_DIR={destination}"], MakeInstallHint);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("dotnet publish src/Ingest/Queueing.Ingest.csproj -c Release -r linux-x64 -p:PublishAot=true -warnaserror", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"/Queueing.Ingest\" \"{destination}/bootstrap\"", result.StandardOutput, StringComparison.Ordinal);
        Assert.False(Directory.Exists(destination), "a dry run must not touch the artifacts folder");
    }

    [Theory]
    [InlineData("build-CommandApiFunction")]
    [InlineData("build-CommandPublisherFunction")]
    public async Task BuildCommandFunction_DryRun_PublishesTheActuateExecutableIntoBootstrap(string target)
    {
        using var artifacts = new TempDirectory();

        var result = await ExternalTool.RunAsync("make", ["-n", target, $"ARTIFACTS_DIR={artifacts.Path}"], MakeInstallHint);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("dotnet publish src/Actuate/Queueing.Actuate.csproj -c Release -r linux-x64 -p:PublishAot=true -warnaserror", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"/Queueing.Actuate\" \"{artifacts.Path}/bootstrap\"", result.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2.0", false)]
    [InlineData("99.0", true)]
    public async Task GlibcCheck_ExecutableAgainstLambdaGlibc_PassesOnlyWhenLambdaHasEveryVersionItNeeds(string lambdaGlibc, bool passes)
    {
        using var scratch = new TempDirectory();
        var makefile = scratch.File("check.mk");
        // The repository Makefile's check, applied to a real dynamically linked executable of this machine.
        await File.WriteAllTextAsync(makefile, $"include {RepositoryRoot.File("Makefile")}\ncheck:\n\t@$(call check_glibc,/bin/sh)\n");

        var result = await ExternalTool.RunAsync("make", ["-f", makefile, "check", $"LAMBDA_GLIBC={lambdaGlibc}"], MakeInstallHint);

        if (result.StandardError.Contains("objdump not found", StringComparison.Ordinal))
        {
            Assert.Equal(0, result.ExitCode); // without binutils the build warns and goes on
            return;
        }

        Assert.True(passes == (result.ExitCode == 0), result.ToString());
        Assert.Equal(!passes, result.StandardError.Contains($"but provided.al2023 has {lambdaGlibc}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BuildIngestFunction_WithoutArtifactsDir_FailsBeforePublishing()
    {
        var result = await ExternalTool.RunAsync(
            "make",
            ["build-IngestFunction"],
            MakeInstallHint,
            new Dictionary<string, string?> { ["ARTIFACTS_DIR"] = null });

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("ARTIFACTS_DIR is not set", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("dotnet publish", result.StandardOutput, StringComparison.Ordinal);
    }
}
