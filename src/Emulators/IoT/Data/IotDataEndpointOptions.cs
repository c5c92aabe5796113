namespace Queueing.Emulators.IoT.Data;

public sealed record IotDataEndpointOptions(SigV4Credentials Credentials, string Region)
{
    /// <summary>0 picks a free port; read <see cref="IotDataEndpoint.BaseAddress"/> after start.</summary>
    public int Port { get; init; }

    /// <summary>AWS IoT Core's message size limit: 128 KB.</summary>
    public int MaxPayloadBytes { get; init; } = 128 * 1024;

    /// <summary>How far X-Amz-Date may be from the endpoint's clock; AWS allows 15 minutes.</summary>
    public TimeSpan AllowedClockSkew { get; init; } = TimeSpan.FromMinutes(15);
}
