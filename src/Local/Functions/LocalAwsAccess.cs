namespace Queueing.Local.Functions;

/// <summary>How functions reach the local AWS (moto): its endpoint and the credentials it accepts.</summary>
internal sealed record LocalAwsAccess(Uri Endpoint, string Region)
{
    /// <summary>moto accepts any key; these make it obvious in logs that nothing reaches real AWS.</summary>
    public const string AccessKeyId = "local";
    public const string SecretAccessKey = "local";
    public const string SessionToken = "local-session-token";

    public string EndpointUrl => Endpoint.ToString().TrimEnd('/');
}
