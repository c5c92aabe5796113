using Queueing.Local.Waylay.Broker;
using Queueing.Local.Waylay.Rules;
using Queueing.Local.Waylay.Webscripts;

namespace Queueing.Local.Waylay;

/// <summary>The sandbox's counters at one moment, for the live view and the run summary.</summary>
public sealed record WaylaySandboxSnapshot(BrokerSnapshot Broker, RuleEngineSnapshot Rules);

/// <summary>
/// The Waylay side of the closed loop on one machine: the broker API the ingest function posts to
/// (<see cref="DataUrl"/>), the rule engine running <c>waylay/templates/</c> as a reactive task per resource, and
/// the webscripts of <c>waylay/webscripts/</c> under Node.js, which sign the actuators' commands and post them to
/// the command API.
/// </summary>
public sealed class WaylaySandbox : IAsyncDisposable
{
    private bool _stopped;

    private WaylaySandbox(BrokerServer broker, RuleEngine rules, WebscriptHost webscripts)
    {
        Broker = broker;
        Rules = rules;
        Webscripts = webscripts;
    }

    /// <summary>The value for the ingest function's <c>WAYLAY_DATA_URL</c>.</summary>
    public Uri DataUrl => Broker.BaseAddress;

    public BrokerServer Broker { get; }

    public RuleEngine Rules { get; }

    public WebscriptHost Webscripts { get; }

    /// <exception cref="ArgumentException">The options are invalid (every problem listed).</exception>
    /// <exception cref="TemplateException">A template cannot run (every problem listed, naming file and construct).</exception>
    /// <exception cref="InvalidOperationException">Node.js is missing or a webscript does not load.</exception>
    public static async Task<WaylaySandbox> StartAsync(WaylaySandboxOptions options, CancellationToken cancellationToken = default)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("The Waylay sandbox cannot start: " + string.Join(" ", problems), nameof(options));
        }

        // Templates are checked before any process starts, so a bad template fails fast with its reasons.
        var webscriptNames = WebscriptHost.Discover(options.WebscriptsDirectory);
        TemplateLoader.LoadDirectory(
            options.TemplatesDirectory,
            TemplateContext.For(webscriptNames, name => $"http://127.0.0.1/{name}", options.TemplateVariables));

        var secrets = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["COMMAND_API_URL"] = options.CommandApiUrl.AbsoluteUri,
            ["COMMAND_SIGNING_SECRET"] = options.CommandSigningSecret,
        };
        foreach (var (name, value) in options.WebscriptSecrets)
        {
            secrets[name] = value;
        }

        var webscripts = await WebscriptHost.StartAsync(
            new WebscriptHostOptions
            {
                WebscriptsDirectory = options.WebscriptsDirectory,
                Secrets = secrets,
                NodeExecutable = options.NodeExecutable,
                Loggers = options.Loggers,
            },
            cancellationToken);
        RuleEngine? rules = null;
        try
        {
            var templates = TemplateLoader.LoadDirectory(
                options.TemplatesDirectory,
                TemplateContext.For(webscripts.Webscripts, name => webscripts.UrlOf(name).ToString(), options.TemplateVariables));
            rules = new RuleEngine(templates, new WebscriptActuator(webscripts), new RuleEngineOptions
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
                    Faults = options.Faults,
                    Time = options.Time,
                    Loggers = options.Loggers,
                },
                rules,
                cancellationToken);
            return new WaylaySandbox(broker, rules, webscripts);
        }
        catch
        {
            if (rules is not null)
            {
                await rules.DisposeAsync();
            }

            await webscripts.DisposeAsync();
            throw;
        }
    }

    public WaylaySandboxSnapshot Snapshot() => new(Broker.Counters.Snapshot(), Rules.Counters.Snapshot());

    /// <summary>Completes when every forwarded event has been evaluated and its actuators have answered.</summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken = default) => Rules.WhenIdleAsync(cancellationToken);

    /// <summary>
    /// Stops taking requests, lets the rule engine finish what was forwarded (until
    /// <paramref name="cancellationToken"/> fires), then stops the webscripts.
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
        await Webscripts.DisposeAsync();
    }

    public async ValueTask DisposeAsync() => await StopAsync(new CancellationToken(canceled: true));
}
