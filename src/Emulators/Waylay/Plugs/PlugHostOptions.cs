using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Queueing.Emulators.Waylay.Plugs;

public sealed record PlugHostOptions
{
    /// <summary>The plugs to load (a tenant's <c>plugins/</c>).</summary>
    public required PlugCatalog Plugs { get; init; }

    /// <summary>
    /// The tenant's vault as the plugs read it with <c>waylay.vault.get(key)</c>. Nothing of the tool's environment
    /// reaches the plugs but <c>PATH</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string> Vault { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The tenant's alarm service (its base URL) that <c>waylay.alarms.create</c> posts to; null: a plug that raises
    /// an alarm fails with a clear error.
    /// </summary>
    public Uri? AlarmsUrl { get; init; }

    /// <summary>The tenant's API key and secret, with which <c>waylay.alarms</c> calls the alarm service.</summary>
    public string ApiKey { get; init; } = "";

    public string ApiSecret { get; init; } = "";

    /// <summary>The Node.js executable (18 or later).</summary>
    public string NodeExecutable { get; init; } = "node";

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>A plug that has not called <c>send</c> by then has failed (Waylay's default node timeout is PT50S).</summary>
    public TimeSpan PlugTimeout { get; init; } = TimeSpan.FromSeconds(50);

    public ILoggerFactory Loggers { get; init; } = NullLoggerFactory.Instance;
}
