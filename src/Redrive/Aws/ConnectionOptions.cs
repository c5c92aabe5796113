namespace Queueing.Redrive.Aws;

/// <summary>The global options that say which AWS (or which endpoint) to talk to.</summary>
internal sealed record ConnectionOptions(string? Profile, string? Region, Uri? EndpointUrl)
{
    public string Describe() => EndpointUrl is not null
        ? $"endpoint {EndpointUrl}"
        : Region is not null ? $"region {Region}" : "the default region";
}
