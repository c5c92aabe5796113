using System.Reflection;
using Queueing.Contracts.Settings;
using Queueing.Emulators.Lambda;
using Queueing.Emulators.Template;
using Queueing.Local.Functions;
using Queueing.Testing;

namespace Queueing.Local.Tests.Support;

/// <summary>The test function's executable, built with the tests (same configuration), and launches of it.</summary>
internal static class TestFunctionBinary
{
    public static string ProjectDirectory { get; } = RepositoryRoot.File("tests", "TestFunctions", "Queueing.TestFunction");

    public static string Configuration { get; } =
        typeof(TestFunctionBinary).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static string Executable { get; } = Path.Combine(ProjectDirectory, "bin", Configuration, "net10.0", "Queueing.TestFunction");

    public static FunctionDefinition Function(string handler, int timeoutSeconds = 3, IReadOnlyDictionary<string, string>? environment = null) => new()
    {
        LogicalId = "TestFunction",
        FunctionName = "queueing-TestFunction",
        Arn = "arn:aws:lambda:us-east-1:123456789012:function:queueing-TestFunction",
        Handler = handler,
        TimeoutSeconds = timeoutSeconds,
        MemorySize = 256,
        Environment = environment ?? new Dictionary<string, string>(),
        Events = [],
        SqsEvents = [],
        HttpApiEvents = [],
    };

    public static FunctionLaunch Launch(FunctionDefinition function) => new(
        Executable,
        [],
        Path.GetDirectoryName(Executable)!,
        FunctionEnvironment.Build(
            function,
            Path.GetDirectoryName(Executable)!,
            new LocalAwsAccess(new Uri("http://127.0.0.1:9/"), "us-east-1"),
            ProcessEnvironment.Read(),
            new Dictionary<string, string>()));
}
