using Queueing.Emulators.Template;

namespace Queueing.Local.Functions;

/// <summary>
/// The environment a function's process starts with, in order of precedence (later wins):
/// a few host variables .NET needs to start; the template's <c>Environment.Variables</c>; <c>--env-vars</c>
/// overrides of declared variables; the tool's own overrides (e.g. <c>--waylay-url</c>); then what the Lambda
/// service sets and the local AWS access, which a template cannot change.
/// </summary>
internal static class FunctionEnvironment
{
    // Lambda starts the runtime with a clean environment; the host's only contribution is what the .NET host needs.
    private static readonly string[] HostVariables = ["PATH", "HOME", "TMPDIR", "DOTNET_ROOT", "DOTNET_ROOT_X64", "DOTNET_ROOT_ARM64"];

    public static Dictionary<string, string> Build(
        FunctionDefinition function,
        string taskRoot,
        LocalAwsAccess aws,
        IReadOnlyDictionary<string, string> host,
        IReadOnlyDictionary<string, string> overrides)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in HostVariables)
        {
            if (host.TryGetValue(name, out var value))
            {
                environment[name] = value;
            }
        }

        foreach (var (name, value) in function.Environment)
        {
            environment[name] = value;
        }

        foreach (var (name, value) in overrides)
        {
            environment[name] = value;
        }

        environment["_HANDLER"] = function.Handler;
        environment["AWS_REGION"] = aws.Region;
        environment["AWS_DEFAULT_REGION"] = aws.Region;
        environment["AWS_LAMBDA_FUNCTION_NAME"] = function.FunctionName;
        environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = function.MemorySize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST";
        environment["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand";
        environment["AWS_LAMBDA_LOG_GROUP_NAME"] = "/aws/lambda/" + function.FunctionName;
        environment["AWS_LAMBDA_LOG_STREAM_NAME"] = "local/[$LATEST]" + function.LogicalId;
        environment["LAMBDA_TASK_ROOT"] = taskRoot;
        environment["LAMBDA_RUNTIME_DIR"] = taskRoot;
        environment["TZ"] = ":UTC";
        environment["LANG"] = "en_US.UTF-8";
        environment["AWS_ACCESS_KEY_ID"] = LocalAwsAccess.AccessKeyId;
        environment["AWS_SECRET_ACCESS_KEY"] = LocalAwsAccess.SecretAccessKey;
        environment["AWS_SESSION_TOKEN"] = LocalAwsAccess.SessionToken;
        // The SDK sends every service to this endpoint (the standard AWS_ENDPOINT_URL setting): moto.
        environment["AWS_ENDPOINT_URL"] = aws.EndpointUrl;
        return environment;
    }
}
