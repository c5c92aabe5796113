using Amazon.SQS;
using Microsoft.Extensions.Logging;
using Queueing.Emulators.IoT.Broker;
using Queueing.Emulators.IoT.Data;
using Queueing.Emulators.IoT.Rules;
using Queueing.Emulators.Lambda;
using Queueing.Emulators.Template;
using Queueing.Emulators.Waylay;
using Queueing.Local.Aws;
using Queueing.Local.Devices;
using Queueing.Local.EventSources;
using Queueing.Local.Functions;
using Queueing.Local.Processes;

namespace Queueing.Local.Up;

/// <summary>
/// Everything <c>up</c> runs, started from <c>serverless.template</c> in dependency order: moto with the template's
/// queues and secrets; the local IoT Core (MQTT broker, topic rules, IoT Data endpoint); the HTTP APIs; the Waylay
/// sandbox (which needs the command API's URL); one runtime per function (which needs the Waylay and IoT Data URLs);
/// the SQS pollers; the simulated devices. Disposing stops them in reverse order.
/// </summary>
internal sealed class EmulatedStack : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly Dictionary<string, FunctionRuntime> _runtimes = new(StringComparer.Ordinal);
    private readonly DependencyWatch _dependencies = new();

    private EmulatedStack(StackModel model, LocalAwsAccess access, IAmazonSQS sqs)
    {
        Model = model;
        Access = access;
        Sqs = sqs;
    }

    public StackModel Model { get; }
    public LocalAwsAccess Access { get; }
    public IAmazonSQS Sqs { get; }
    public MqttBroker Broker { get; private set; } = null!;
    public TopicRuleEngine Rules { get; private set; } = null!;
    public IotDataEndpoint IotData { get; private set; } = null!;
    public WaylaySandbox Waylay { get; private set; } = null!;
    public SimulatedDeviceFleet Fleet { get; private set; } = null!;
    public IReadOnlyList<HttpApiServer> HttpApis { get; private set; } = [];
    public IReadOnlyList<SqsPoller> Pollers { get; private set; } = [];
    public IReadOnlyDictionary<string, FunctionStats> Functions { get; private set; } = new Dictionary<string, FunctionStats>();
    public CommandLedger Commands { get; } = new();

    /// <summary>Telemetry from MQTT clients that are not the simulated devices.</summary>
    public OutsideTraffic Outside { get; } = new();

    /// <summary>moto (when the stack started it) and the Node.js plug host: the first to exit on its own.</summary>
    public DependencyWatch Dependencies => _dependencies;

    /// <summary>Each function's runtime (its instances and their processes), by logical id.</summary>
    public IReadOnlyDictionary<string, FunctionRuntime> Runtimes => _runtimes;

    /// <summary>The device topics of the template's device policy, with <c>{deviceId}</c> for the thing name.</summary>
    public string TelemetryTopicTemplate { get; private set; } = null!;
    public string CommandTopicTemplate { get; private set; } = null!;

    /// <summary>Where the simulated devices acknowledge their commands, with <c>{deviceId}</c> for the thing name: the
    /// template's <c>CommandAckTopicFilter</c>, <c>+</c> standing for the device id.</summary>
    public string AckTopicTemplate { get; private set; } = null!;

    /// <summary>The command API's <c>POST /commands</c> URL, as the Waylay plug calls it.</summary>
    public Uri CommandApiUrl { get; private set; } = null!;

    /// <summary>Queues telemetry travels through (the topic rules' action queues), and where it can be dead-lettered.</summary>
    public IReadOnlyList<QueueDefinition> TelemetryQueues { get; private set; } = [];
    public IReadOnlyList<QueueDefinition> TelemetryDeadLetters { get; private set; } = [];

    /// <summary>The other polled queues (commands), and their dead-letter queues.</summary>
    public IReadOnlyList<QueueDefinition> CommandQueues { get; private set; } = [];
    public IReadOnlyList<QueueDefinition> CommandDeadLetters { get; private set; } = [];

    /// <summary>
    /// Starts the stack. Template problems throw <see cref="TemplateException"/>, and what else cannot run as asked
    /// <see cref="StackSetupException"/>, before anything is built or started.
    /// </summary>
    public static async Task<EmulatedStack> StartAsync(
        EmulatedStackOptions options, TextWriter log, Action<string> progress, CancellationToken cancellationToken)
    {
        var template = TemplateDocument.Load(options.TemplatePath);
        // Resolve, map the IoT resources and find the Waylay side before starting anything: a problem costs nothing.
        var preview = StackModel.Load(template, QueueingApplication.Stack(), options.ParameterOverrides, QueueingApplication.LocalParameterDefaults);
        if (options.LegacyDevices > 0)
        {
            LegacyTopicTemplate(preview, TemplateDevicePolicy.Read(preview) ?? QueueingApplication.DevicePolicy);
        }

        TemplateTopicRules.Read(preview);
        TemplateDevicePolicy.Read(preview);
        AckTopic(preview);
        if (SqsEventSourceRules.Problems(preview) is { Count: > 0 } refused)
        {
            throw new TemplateException(string.Join(Environment.NewLine, refused));
        }

        var waylay = Path.Combine(template.Directory, QueueingApplication.WaylayFolder);
        foreach (var folder in new[] { "templates", "plugins", "schemas" }.Select(f => Path.Combine(waylay, f)))
        {
            if (!Directory.Exists(folder))
            {
                throw new StackSetupException($"The Waylay sandbox reads {folder}, which does not exist (it sits beside the template).");
            }
        }

        var executables = new Dictionary<string, BuiltExecutable>(StringComparer.Ordinal);
        var builder = new FunctionBuilder(log, options.Configuration, options.NoBuild);
        foreach (var group in preview.Functions.Values.GroupBy(f => FunctionProjects.ProjectFor(f, template.Directory), StringComparer.Ordinal))
        {
            progress($"Building {Path.GetFileNameWithoutExtension(group.Key)} ({string.Join(", ", group.Select(f => f.LogicalId))})...");
            var built = await builder.BuildAsync(group.Key, cancellationToken);
            foreach (var function in group)
            {
                executables[function.LogicalId] = built;
            }
        }

        MotoServerProcess? moto = null;
        if (options.AwsEndpoint is null)
        {
            progress("Starting the local AWS (moto_server)...");
            moto = await MotoServerProcess.StartAsync(TimeSpan.FromSeconds(60), cancellationToken);
        }

        var endpoint = options.AwsEndpoint ?? moto!.Endpoint;
        var context = QueueingApplication.Stack(endpoint);
        var model = StackModel.Load(template, context, options.ParameterOverrides, QueueingApplication.LocalParameterDefaults);
        var access = new LocalAwsAccess(endpoint, context.Region);
        var provisioner = new LocalAwsProvisioner(access, log);
        var stack = new EmulatedStack(model, access, provisioner.CreateSqs());
        if (moto is not null)
        {
            stack._owned.Add(moto);
            stack._dependencies.Watch($"moto_server (the local AWS, pid {moto.ProcessId})", moto.Exited, () => $"exited ({moto.ExitDescription})");
        }

        try
        {
            await provisioner.ProvisionAsync(model, options.Secrets, cancellationToken);
            await stack.StartPartsAsync(options, template, executables, log, progress, waylay, cancellationToken);
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    private async Task StartPartsAsync(
        EmulatedStackOptions options,
        TemplateDocument template,
        IReadOnlyDictionary<string, BuiltExecutable> executables,
        TextWriter log,
        Action<string> progress,
        string waylay,
        CancellationToken cancellationToken)
    {
        var loggers = LoggerFactory.Create(b => b.AddProvider(new TextWriterLoggerProvider(log)).SetMinimumLevel(LogLevel.Information));
        var rules = TemplateTopicRules.Read(Model);
        ClassifyQueues(rules);

        progress("Starting the local IoT Core (MQTT broker, topic rules, IoT Data endpoint)...");
        var policy = TemplateDevicePolicy.Read(Model) ?? QueueingApplication.DevicePolicy;
        Rules = Own(new TopicRuleEngine(rules, Sqs, loggers: loggers));
        Broker = Own(new MqttBroker(new MqttBrokerOptions { Policy = policy }, options.Time, loggers));
        Broker.AddSink(Rules);
        Broker.AddSink(Outside);
        await Rules.StartAsync(cancellationToken);
        await Broker.StartAsync(cancellationToken);
        IotData = Own(new IotDataEndpoint(
            new IotDataEndpointOptions(new SigV4Credentials(LocalAwsAccess.AccessKeyId, LocalAwsAccess.SecretAccessKey, LocalAwsAccess.SessionToken), Access.Region),
            Broker,
            options.Time,
            loggers));
        await IotData.StartAsync(cancellationToken);

        // Routes reach the runtimes through the dictionary, filled below: the HTTP API must listen before Waylay
        // starts (its plugs call it) and Waylay before the functions (the ingest function calls it).
        var stats = Model.Functions.Keys.ToDictionary(id => id, id => new FunctionStats(id), StringComparer.Ordinal);
        Functions = stats;
        var apis = new List<HttpApiServer>();
        foreach (var api in Model.Functions.Values
            .SelectMany(f => f.HttpApiEvents.Select(e => (Function: f, Event: e)))
            .GroupBy(x => x.Event.ApiLogicalId ?? "ServerlessHttpApi", StringComparer.Ordinal))
        {
            var routes = api.Select(x => new HttpApiRoute(
                x.Function.LogicalId,
                x.Event,
                stats[x.Function.LogicalId].Wrap(
                    (payload, ct) => _runtimes[x.Function.LogicalId].InvokeAsync(payload, ct),
                    x.Function.Handler == QueueingApplication.CommandApiHandler ? Commands.Observe : null)));
            var server = Own(new HttpApiServer(api.Key, routes, new HttpApiServerOptions { Region = Access.Region }, options.Time, loggers));
            await server.StartAsync(cancellationToken);
            apis.Add(server);
        }

        HttpApis = apis;
        CommandApiUrl = FindCommandApiUrl(apis);
        progress($"HTTP API: {string.Join(", ", apis.Select(a => $"{a.ApiLogicalId} on {a.BaseAddress}"))}");

        progress("Starting the Waylay sandbox (broker API, rule engine, plugs under Node.js)...");
        Waylay = Own(await WaylaySandbox.StartAsync(
            new WaylaySandboxOptions
            {
                ApiKey = options.Secrets.WaylayApiKey,
                ApiSecret = options.Secrets.WaylayApiSecret,
                WaylayDirectory = waylay,
                Vault = QueueingApplication.WaylayVault(CommandApiUrl, options.Secrets.CommandSigningSecret),
                Faults = options.WaylayFaults,
                TalliedFields = [QueueingApplication.CommandStatusField],
                Time = options.Time,
                Loggers = loggers,
            },
            cancellationToken));
        var node = Waylay.Plugs;
        _dependencies.Watch($"The Waylay plug host (Node.js, pid {node.ProcessId})", node.Exited, () => $"exited ({node.ExitDescription})");

        var output = new FunctionOutput(log);
        foreach (var function in Model.Functions.Values)
        {
            progress($"Starting {function.LogicalId} ({options.Concurrency} instance{(options.Concurrency == 1 ? string.Empty : "s")})...");
            var overrides = QueueingApplication.LocalEndpoints(function, Waylay.DataUrl, IotData.BaseAddress);
            var executable = executables[function.LogicalId];
            var launch = new FunctionLaunch(
                executable.FileName,
                executable.Arguments,
                executable.Directory,
                FunctionEnvironment.Build(function, executable.Directory, Access, options.HostEnvironment, overrides));
            var runtime = Own(await FunctionRuntime.StartAsync(
                function, launch, new FunctionRuntimeOptions { Concurrency = options.Concurrency }, output, options.Time, cancellationToken));
            _runtimes[function.LogicalId] = runtime;
            var failures = await runtime.WarmUpAsync(cancellationToken);
            if (failures.Count > 0)
            {
                var failure = failures[0];
                throw new FunctionInitException(
                    $"{function.LogicalId} failed its init ({failure.ErrorType}): {RuntimeErrorDocument.Message(failure.Payload)}" +
                    (failure.RecentOutput is { Length: > 0 } recent ? Environment.NewLine + recent : string.Empty));
            }
        }

        var pollers = new List<SqsPoller>();
        foreach (var function in Model.Functions.Values)
        {
            foreach (var source in function.SqsEvents)
            {
                var queue = Model.QueueByArnOrUrl(source.QueueArn)
                    ?? throw new TemplateException($"Resource '{function.LogicalId}', event '{source.Name}': queue {source.QueueArn} is not a queue of the template.");
                var poller = Own(new SqsPoller(
                    function.LogicalId,
                    source,
                    queue,
                    Sqs,
                    stats[function.LogicalId].Wrap((payload, ct) => _runtimes[function.LogicalId].InvokeAsync(payload, ct)),
                    new SqsPollerOptions { FailedVisibilityTimeout = options.RetryDelay, Region = Access.Region },
                    options.Time,
                    loggers));
                await poller.StartAsync(cancellationToken);
                pollers.Add(poller);
            }
        }

        Pollers = pollers;

        AckTopicTemplate = AckTopic(Model);
        TelemetryTopicTemplate = DeviceTopic(policy.PublishTopics.Where(t => !SameTopic(t, AckTopicTemplate)).ToList(), "publish");
        CommandTopicTemplate = DeviceTopic(policy.SubscribeFilters, "subscribe");
        var sampleDevice = "device-001";
        if (!policy.AllowsPublish(sampleDevice, AckTopicTemplate.Replace("{deviceId}", sampleDevice, StringComparison.Ordinal)))
        {
            progress($"Note: the device policy does not let a device publish its acks on {AckTopicTemplate}; the broker will refuse them (counted as not published).");
        }

        var devices = options.Devices + options.LegacyDevices;
        progress($"Connecting {devices} simulated device{(devices == 1 ? string.Empty : "s")}...");
        var fleet = new SimulatedDeviceOptions
        {
            BrokerPort = Broker.Port,
            Count = options.Devices,
            Interval = options.Interval,
            MessagesPerDevice = options.MessagesPerDevice,
            TelemetryTopicTemplate = TelemetryTopicTemplate,
            CommandTopicTemplate = CommandTopicTemplate,
            AckTopicTemplate = AckTopicTemplate,
            Acks = options.Acks,
        };
        SimulatedDeviceOptions[] groups = options.LegacyDevices == 0 ? [fleet] :
        [
            fleet,
            fleet with
            {
                Count = options.LegacyDevices,
                ThingNamePrefix = QueueingApplication.LegacyThingNamePrefix,
                TelemetryTopicTemplate = LegacyTopicTemplate(Model, policy),
                Payload = DevicePayload.Envelope,
            },
        ];
        Fleet = Own(new SimulatedDeviceFleet(groups, options.Time, loggers));
        Outside.Simulated(Fleet.Devices.Select(d => d.ThingName));
        await Fleet.StartAsync(cancellationToken);
    }

    private void ClassifyQueues(IReadOnlyList<TopicRuleDefinition> rules)
    {
        QueueDefinition? DeadLetterOf(QueueDefinition queue) =>
            queue.DeadLetterTargetArn is { } arn ? Model.QueueByArnOrUrl(arn) : null;

        TelemetryQueues = [.. rules.SelectMany(r => r.Actions).OfType<SqsRuleAction>()
            .Select(a => Model.QueueByArnOrUrl(a.QueueUrl)).OfType<QueueDefinition>().Distinct()];
        TelemetryDeadLetters = [.. TelemetryQueues.Select(DeadLetterOf).OfType<QueueDefinition>()
            .Concat(rules.Select(r => r.ErrorAction).OfType<SqsRuleAction>().Select(a => Model.QueueByArnOrUrl(a.QueueUrl)).OfType<QueueDefinition>())
            .Distinct()];
        CommandQueues = [.. Model.Functions.Values.SelectMany(f => f.SqsEvents)
            .Select(e => Model.QueueByArnOrUrl(e.QueueArn)).OfType<QueueDefinition>()
            .Where(q => !TelemetryQueues.Contains(q)).Distinct()];
        CommandDeadLetters = [.. CommandQueues.Select(DeadLetterOf).OfType<QueueDefinition>().Distinct()];
    }

    private Uri FindCommandApiUrl(IReadOnlyList<HttpApiServer> apis)
    {
        var route = Model.Functions.Values
            .SelectMany(f => f.HttpApiEvents)
            .FirstOrDefault(e => !e.IsDefaultRoute && e.Method == QueueingApplication.CommandsMethod && e.Path == QueueingApplication.CommandsPath)
            ?? throw new TemplateException(
                $"The template has no HttpApi route {QueueingApplication.CommandsMethod} {QueueingApplication.CommandsPath}: the Waylay sandbox's plugs have no command API to call.");
        var api = apis.Single(a => a.ApiLogicalId == (route.ApiLogicalId ?? "ServerlessHttpApi"));
        return new Uri(api.BaseAddress, route.Path.TrimStart('/'));
    }

    /// <summary>
    /// The topic <c>--legacy-devices</c> publish on: the template's legacy topic filter, a <c>+</c> level standing for the
    /// device's own id (one concrete topic the filter matches). The device policy must let them publish there.
    /// </summary>
    private static string LegacyTopicTemplate(StackModel model, DevicePolicy policy)
    {
        const string LegacyTopicParameter = QueueingApplication.LegacyTopicParameter;
        var filter = model.Parameters.TryGet(LegacyTopicParameter, out var value) ? value.ToString() : string.Empty;
        if (filter.Length == 0)
        {
            throw new StackSetupException(
                $"--legacy-devices publish on the template's legacy topic, and {LegacyTopicParameter} is empty: pass " +
                $"--parameter-overrides {LegacyTopicParameter}=<topic filter>, e.g. sensors/light (docs/migration.md).");
        }

        var template = string.Join('/', filter.Split('/').Select(level => level == "+" ? "{deviceId}" : level));
        var sample = QueueingApplication.LegacyThingNamePrefix + "001";
        if (!policy.AllowsPublish(sample, template.Replace("{deviceId}", sample, StringComparison.Ordinal)))
        {
            throw new TemplateException($"The device policy does not let a device publish on the legacy topic '{filter}', so --legacy-devices could not either.");
        }

        return template;
    }

    /// <summary>The template's <see cref="QueueingApplication.CommandAckTopicParameter"/> (its default when the template
    /// has none) with <c>{deviceId}</c> for its one <c>+</c>.</summary>
    private static string AckTopic(StackModel model)
    {
        var parameter = QueueingApplication.CommandAckTopicParameter;
        var filter = model.Parameters.TryGet(parameter, out var value) ? value.ToString() : QueueingApplication.DefaultCommandAckTopicFilter;
        var levels = filter.Split('/');
        if (levels.Count(l => l == "+") != 1 || levels.Any(l => l == "#" || (l != "+" && l.Contains('+', StringComparison.Ordinal))))
        {
            throw new TemplateException($"{parameter} '{filter}' must have exactly one '+' level (the device id) and no '#': the simulated devices publish their acks on it.");
        }

        return string.Join('/', levels.Select(level => level == "+" ? "{deviceId}" : level));
    }

    private static bool SameTopic(string policyTopic, string deviceTopic) =>
        policyTopic.Replace(DevicePolicy.ThingNamePlaceholder, "{deviceId}", StringComparison.Ordinal) == deviceTopic;

    /// <summary>A device topic from the policy's <c>{thingName}</c> form to the fleet's <c>{deviceId}</c> form.</summary>
    private static string DeviceTopic(IReadOnlyList<string> topics, string what) =>
        topics.FirstOrDefault(t => t.Contains(DevicePolicy.ThingNamePlaceholder, StringComparison.Ordinal))?
            .Replace(DevicePolicy.ThingNamePlaceholder, "{deviceId}", StringComparison.Ordinal)
        ?? throw new TemplateException($"The device policy lets a device {what} on no topic of its own; the simulated devices need one.");

    private T Own<T>(T part)
        where T : IAsyncDisposable
    {
        _owned.Add(part);
        return part;
    }

    /// <summary>Devices stop publishing (they stay connected and keep receiving commands).</summary>
    public Task StopPublishingAsync(CancellationToken cancellationToken) => Fleet.StopPublishingAsync(cancellationToken);

    /// <summary>
    /// Stops everything, newest first: devices, pollers (finishing the batches in flight unless
    /// <paramref name="cancellationToken"/> is cancelled), HTTP APIs, functions, Waylay, IoT Core, moto.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _dependencies.Stopping();
        foreach (var poller in Pollers)
        {
            try
            {
                await poller.StopAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Abandoned: the batch's messages return to the queue after their visibility timeout.
            }
        }

        await DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _dependencies.Stopping();
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            var part = _owned[i];
            _owned.RemoveAt(i);
            await part.DisposeAsync();
        }

        Sqs.Dispose();
        _dependencies.Dispose();
    }
}

/// <summary>A function failed its init when the stack started it.</summary>
internal sealed class FunctionInitException(string message) : Exception(message);

/// <summary>The stack cannot start as asked (a folder it reads is missing, a parameter an option needs is empty);
/// the message says what to change.</summary>
internal sealed class StackSetupException(string message) : Exception(message);
