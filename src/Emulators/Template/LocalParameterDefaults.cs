namespace Queueing.Local.Template;

/// <summary>
/// Values the local stack gives template parameters that have no Default (they name something of the real account)
/// when no override is passed. The one place that knows such parameters.
/// </summary>
public static class LocalParameterDefaults
{
    /// <summary>A host that never resolves (RFC 2606 .invalid): a function that calls it fails clearly, nothing leaves the machine.</summary>
    public const string UnresolvableIotEndpoint = "iot-data.local.invalid";

    public static IReadOnlyDictionary<string, string> Values { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["IotDataEndpoint"] = UnresolvableIotEndpoint,
    };
}
