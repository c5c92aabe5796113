using Queueing.Local.Aws;

namespace Queueing.Local.Cli;

/// <summary>What every command that runs the template's functions is given (see <see cref="SharedOptions"/>).</summary>
internal abstract record StackRequest
{
    public string? TemplatePath { get; init; }
    public IReadOnlyDictionary<string, string> ParameterOverrides { get; init; } = new Dictionary<string, string>();
    public Uri? AwsEndpoint { get; init; }
    public bool NoBuild { get; init; }
    public string Configuration { get; init; } = "Debug";
    public LocalSecrets Secrets { get; init; } = new();
}
