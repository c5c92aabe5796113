using Queueing.Emulators.Waylay.Alarms;
using Queueing.Emulators.Waylay.Broker;
using Queueing.Emulators.Waylay.Plugs;
using Queueing.Emulators.Waylay.Rules;

namespace Queueing.Emulators.Waylay;

/// <summary>The sandbox's counters at one moment, for the live view and the run summary.</summary>
public sealed record WaylaySandboxSnapshot(BrokerSnapshot Broker, RuleEngineSnapshot Rules, AlarmsSnapshot Alarms)
{
    /// <summary>How many times the rules raised an alarm (create calls the alarm service accepted, a repeat of an
    /// open alarm included).</summary>
    public long AlarmsRaised => Alarms.Raised;

    /// <summary>The same, per resource the alarm is about (<c>source.id</c>).</summary>
    public IReadOnlyDictionary<string, long> AlarmsRaisedByResource => Alarms.RaisedByResource;
}

/// <summary>
/// A Waylay tenant on one machine: the broker API that data is posted to (<see cref="DataUrl"/>), the rule engine
/// running the templates of <c>templates/</c> as a reactive task per resource, the plugs of <c>plugins/</c>
/// under Node.js, which the actuators execute with the tenant's vault, and the alarm service the plugs raise alarms
/// on (<see cref="AlarmsUrl"/>).
/// </summary>
public sealed class WaylaySandbox : IAsyncDisposable
{
    private bool _stopped;

    private WaylaySandbox(BrokerServer broker, RuleEngine rules, PlugHost plugs, AlarmsServer alarms)
    {
        Broker = broker;
        Rules = rules;
        Plugs = plugs;
        Alarms = alarms;
    }

    /// <summary>The broker API's base URL (<c>http://127.0.0.1:port/</c>), where data is posted.</summary>
    public Uri DataUrl => Broker.BaseAddress;

    /// <summary>The alarm service's base URL (<c>http://127.0.0.1:port/</c>; the API under <c>alarms/v1/</c>), with
    /// the same HTTP Basic credentials as the broker.</summary>
    public Uri AlarmsUrl => Alarms.BaseAddress;

    internal AlarmsServer Alarms { get; }

    internal BrokerServer Broker { get; }

    internal RuleEngine Rules { get; }

    public PlugHost Plugs { get; }

    /// <exception cref="ArgumentException">The options are invalid (every problem listed).</exception>
    /// <exception cref="PlugCatalogException">A plug manifest of waylay/plugins/ is refused.</exception>
    /// <exception cref="WaylayTemplateException">A template is refused by the schema or cannot run (every problem listed, naming file and construct).</exception>
    /// <exception cref="InvalidOperationException">Node.js is missing or a plug does not load.</exception>
    public static async Task<WaylaySandbox> StartAsync(WaylaySandboxOptions options, CancellationToken cancellationToken = default)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("The Waylay sandbox cannot start: " + string.Join(" ", problems), nameof(options));
        }

        // Plugs and templates are checked before any process starts, so a bad one fails fast with its reasons.
        var context = TemplateContext.ForWaylayDirectory(options.WaylayDirectory);
        var templates = TemplateLoader.LoadDirectory(Path.Combine(options.WaylayDirectory, "templates"), context);

        var alarms = await AlarmsServer.StartAsync(
            new AlarmsOptions { ApiKey = options.ApiKey, ApiSecret = options.ApiSecret, Time = options.Time, Loggers = options.Loggers },
            cancellationToken);
        PlugHost plugs;
        try
        {
            plugs = await PlugHost.StartAsync(
                new PlugHostOptions
                {
                    Plugs = context.Plugs,
                    Vault = options.Vault,
                    AlarmsUrl = alarms.BaseAddress,
                    ApiKey = options.ApiKey,
                    ApiSecret = options.ApiSecret,
                    NodeExecutable = options.NodeExecutable,
                    PlugTimeout = options.PlugTimeout,
                    Loggers = options.Loggers,
                },
                cancellationToken);
        }
        catch
        {
            await alarms.DisposeAsync();
            throw;
        }

        RuleEngine? rules = null;
        try
        {
            rules = new RuleEngine(templates, new PlugActuator(plugs), new RuleEngineOptions
            {
                Partitions = options.RulePartitions,
                Time = options.Time,
                Loggers = options.Loggers,
            });
            var broker = await BrokerServer.StartAsync(
                new BrokerOptions
                {
                    ApiKey = options.ApiKey,
                    ApiSecret = options.ApiSecret,
                    Port = options.Port,
                    MessagesPerResource = options.MessagesPerResource,
                    TalliedFields = options.TalliedFields,
                    Faults = options.Faults,
                    Time = options.Time,
                    Loggers = options.Loggers,
                },
                rules,
                cancellationToken);
            return new WaylaySandbox(broker, rules, plugs, alarms);
        }
        catch
        {
            if (rules is not null)
            {
                await rules.DisposeAsync();
            }

            await plugs.DisposeAsync();
            await alarms.DisposeAsync();
            throw;
        }
    }

    public WaylaySandboxSnapshot Snapshot() => new(Broker.Counters.Snapshot(), Rules.Counters.Snapshot(), Alarms.Store.Snapshot());

    /// <summary>Completes when every forwarded event has been evaluated and its actuators have answered.</summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken = default) => Rules.WhenIdleAsync(cancellationToken);

    /// <summary>
    /// Stops taking requests, lets the rule engine finish what was forwarded (until
    /// <paramref name="cancellationToken"/> fires), then stops the plugs and the alarm service.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await Broker.DisposeAsync();
        await Rules.StopAsync(cancellationToken);
        await Rules.DisposeAsync();
        await Plugs.DisposeAsync();
        await Alarms.DisposeAsync();
    }

    public async ValueTask DisposeAsync() => await StopAsync(new CancellationToken(canceled: true));
}
