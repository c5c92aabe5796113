using System.CommandLine;
using System.CommandLine.Parsing;
using Queueing.Local.Aws;

namespace Queueing.Local.Cli;

/// <summary>Options every command that runs functions takes (invoke now, up later).</summary>
internal sealed class SharedOptions
{
    public Option<string?> Template { get; } = new("--template", "-t")
    {
        Description = "The SAM template (JSON). Default: serverless.template in the current folder or the nearest parent.",
    };

    public Option<string[]> ParameterOverrides { get; } = new("--parameter-overrides")
    {
        Description = "Template parameter values, Key=Value (or ParameterKey=Key,ParameterValue=Value), several allowed.",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<Uri?> AwsEndpoint { get; } = new("--aws-endpoint")
    {
        Description = "Use this running moto-compatible endpoint instead of starting moto_server.",
        CustomParser = result => Urls.Parse(result, "--aws-endpoint"),
    };

    public Option<bool> NoBuild { get; } = new("--no-build")
    {
        Description = "Run the function executables as last built (skip dotnet build).",
    };

    public Option<string> Configuration { get; } = new("--configuration", "-c")
    {
        Description = "The build configuration of the function projects.",
        DefaultValueFactory = _ => "Debug",
    };

    public Option<string> WaylayApiKey { get; } = new("--waylay-api-key")
    {
        Description = "The API key stored in the local Waylay credentials parameter.",
        DefaultValueFactory = _ => new LocalSecrets().WaylayApiKey,
    };

    public Option<string> WaylayApiSecret { get; } = new("--waylay-api-secret")
    {
        Description = "The API secret stored in the local Waylay credentials parameter.",
        DefaultValueFactory = _ => new LocalSecrets().WaylayApiSecret,
    };

    public Option<string> SigningSecret { get; } = SigningSecretOption("The shared secret stored in the local command signing parameter.");

    /// <summary><c>--signing-secret</c>, the command signing secret: the local stack's unless given.</summary>
    public static Option<string> SigningSecretOption(string description) => new("--signing-secret")
    {
        Description = description,
        DefaultValueFactory = _ => new LocalSecrets().CommandSigningSecret,
    };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Template, ParameterOverrides, AwsEndpoint, NoBuild, Configuration, WaylayApiKey, WaylayApiSecret, SigningSecret })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The request with what these options say filled in (the parsed values win over its own).</summary>
    public T Fill<T>(ParseResult parse, T request)
        where T : StackRequest =>
        // A record's `with` clones the runtime type, so the cast is safe.
        (T)(request with
        {
            TemplatePath = parse.GetValue(Template),
            ParameterOverrides = KeyValueArguments.Parse(parse.GetValue(ParameterOverrides) ?? [], "--parameter-overrides"),
            AwsEndpoint = parse.GetValue(AwsEndpoint),
            NoBuild = parse.GetValue(NoBuild),
            Configuration = parse.GetValue(Configuration) ?? "Debug",
            Secrets = Secrets(parse),
        });

    public LocalSecrets Secrets(ParseResult parse) => new()
    {
        WaylayApiKey = parse.GetRequiredValue(WaylayApiKey),
        WaylayApiSecret = parse.GetRequiredValue(WaylayApiSecret),
        CommandSigningSecret = parse.GetRequiredValue(SigningSecret),
    };
}

internal static class Urls
{
    public static Uri? Parse(ArgumentResult result, string option)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
        if (text is not null && Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return uri;
        }

        result.AddError($"{option} must be an absolute http(s) URL, got '{text}'.");
        return null;
    }
}
