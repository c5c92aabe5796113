using Queueing.Emulators.Hosting;
using Queueing.Emulators.IoT.Broker;
using Queueing.Emulators.Lambda;
using Queueing.Emulators.Template;
using Queueing.Emulators.Waylay;
using Queueing.Testing;

namespace Queueing.Local.Tests.Wiring;

/// <summary>
/// Queueing is known in one place, the tool's <see cref="QueueingApplication"/>; the emulator libraries reference
/// only what their layer allows, and none the tool or Queueing's own projects.
/// </summary>
public sealed class QueueingApplicationTests
{
    public static TheoryData<string, string[]> Emulators => new()
    {
        { typeof(LoopbackHttpHost).Assembly.GetName().Name!, [] },
        { typeof(StackModel).Assembly.GetName().Name!, [] },
        { typeof(RuntimeApiServer).Assembly.GetName().Name!, ["Queueing.Emulators.Hosting", "Queueing.Emulators.Template"] },
        { typeof(MqttBroker).Assembly.GetName().Name!, ["Queueing.Emulators.Hosting", "Queueing.Emulators.Template"] },
        { typeof(WaylaySandbox).Assembly.GetName().Name!, ["Queueing.Emulators.Hosting"] },
    };

    [Theory]
    [MemberData(nameof(Emulators))]
    public void EmulatorLibrary_ReferencesOnlyTheLibrariesBelowIt(string assembly, string[] allowed)
    {
        var ours = System.Reflection.Assembly.Load(assembly).GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(name => name.StartsWith("Queueing", StringComparison.OrdinalIgnoreCase) || name == "queueing-local")
            .Order(StringComparer.Ordinal);

        Assert.Equal(allowed, ours);
    }

    [Fact]
    public void Tool_ReferencesTheContracts_NotTheFunctionRuntime()
    {
        var references = AssemblyReferences.Closure(typeof(QueueingApplication).Assembly);

        Assert.Contains("Queueing.Contracts", references);
        Assert.DoesNotContain("Queueing.Shared", references);
    }

    [Fact]
    public void LocalEndpoints_OnlyTheSettingsAFunctionDeclares_WithoutTrailingSlash()
    {
        var ingest = Function(("WAYLAY_DATA_URL", "https://api.waylay.io"), ("LOG_LEVEL", "Information"));

        var endpoints = QueueingApplication.LocalEndpoints(ingest, new Uri("http://127.0.0.1:4000/"), new Uri("http://127.0.0.1:5000/"));

        Assert.Equal(new Dictionary<string, string> { ["WAYLAY_DATA_URL"] = "http://127.0.0.1:4000" }, endpoints);
    }

    [Fact]
    public void LocalEndpoints_ServerNotGiven_LeavesTheTemplatesValue()
    {
        var publisher = Function(("IOT_DATA_ENDPOINT", "iot.example.com"), ("WAYLAY_DATA_URL", "https://api.waylay.io"));

        var endpoints = QueueingApplication.LocalEndpoints(publisher, waylayDataUrl: null, new Uri("http://127.0.0.1:5000/"));

        Assert.Equal(new Dictionary<string, string> { ["IOT_DATA_ENDPOINT"] = "http://127.0.0.1:5000" }, endpoints);
    }

    [Fact]
    public void WaylayVault_HoldsTheKeysThePlugReads()
    {
        var vault = QueueingApplication.WaylayVault(new Uri("http://127.0.0.1:7000/commands"), "a-secret");

        Assert.Equal("http://127.0.0.1:7000/commands", vault["QUEUEING_COMMAND_API_URL"]);
        Assert.Equal("a-secret", vault["QUEUEING_COMMAND_SIGNING_SECRET"]);
        Assert.Equal(2, vault.Count);
    }

    [Fact]
    public void WaylayVault_KeysAreTheOnesThePlugReadsAndWaylayDeployWrites()
    {
        var plug = File.ReadAllText(Queueing.Testing.RepositoryRoot.File("waylay", "plugins", "queueingCommand", "index.js"));
        var deploy = File.ReadAllText(Queueing.Testing.RepositoryRoot.File("waylay", "deploy"));

        Assert.Contains($"VAULT_URL_KEY = '{QueueingApplication.CommandApiUrlVaultKey}'", plug, StringComparison.Ordinal);
        Assert.Contains($"VAULT_SECRET_KEY = '{QueueingApplication.CommandSigningSecretVaultKey}'", plug, StringComparison.Ordinal);
        Assert.Contains(QueueingApplication.CommandApiUrlVaultKey, deploy, StringComparison.Ordinal);
        Assert.Contains(QueueingApplication.CommandSigningSecretVaultKey, deploy, StringComparison.Ordinal);
    }

    [Fact]
    public void Stack_IsTheDeployedStackName()
    {
        var samconfig = File.ReadAllText(Queueing.Testing.RepositoryRoot.File("samconfig.toml"));

        Assert.Equal(QueueingApplication.StackName, QueueingApplication.Stack().StackName);
        Assert.Contains($"stack_name = \"{QueueingApplication.StackName}\"", samconfig, StringComparison.Ordinal);
    }

    private static FunctionDefinition Function(params (string Name, string Value)[] environment) => new()
    {
        LogicalId = "Fn",
        FunctionName = "queueing-Fn",
        Arn = "arn:aws:lambda:us-east-1:123456789012:function:queueing-Fn",
        Handler = "fn",
        TimeoutSeconds = FunctionDefinition.DefaultTimeoutSeconds,
        MemorySize = FunctionDefinition.DefaultMemorySize,
        Environment = environment.ToDictionary(e => e.Name, e => e.Value),
        SqsEvents = [],
        HttpApiEvents = [],
        Events = [],
    };
}
