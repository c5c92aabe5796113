using Queueing.Contracts.Commands;
using Queueing.Emulators.IoT.Broker;
using Queueing.Emulators.Template;

namespace Queueing.Local;

/// <summary>
/// Everything the local tool knows of Queueing itself, in one place: the names of its stack, functions, route,
/// settings, secrets and vault keys, and where its projects and its Waylay side live. The emulators
/// (src/Emulators: the template model, the Lambda sandbox, IoT Core, the Waylay sandbox) know nothing of Queueing;
/// <c>up</c> and <c>invoke</c> configure them from here.
/// </summary>
internal static class QueueingApplication
{
    /// <summary><c>stack_name</c> of samconfig.toml: <c>AWS::StackName</c>, and so the names of the queues, roles and
    /// rules the template derives from it.</summary>
    public const string StackName = "queueing";

    /// <summary>The source queues of the telemetry and command events <c>generate-event sqs</c> makes, as the
    /// template names them under <see cref="StackName"/>.</summary>
    public const string IngestQueueName = StackName + "-IngestQueue";
    public const string CommandQueueName = StackName + "-CommandQueue.fifo";

    /// <summary>The Waylay side of the repository, beside the template: <c>templates/</c>, <c>plugins/</c>, <c>schemas/</c>.
    /// The sandbox runs every template there as a task per device: <c>light-threshold</c> (commands from light values)
    /// and <c>command-ack-watch</c> (an alarm when a published command's <c>ackDue</c> comes before its
    /// acknowledgement), with the plugs <c>queueingCommand</c> (the vault entries below) and <c>queueingAlarm</c>
    /// (the sandbox's alarm service, through the plugs' Waylay client: no vault entry).</summary>
    public const string WaylayFolder = "waylay";

    /// <summary>A host that never resolves (RFC 2606 .invalid): a function that calls it fails clearly, nothing leaves the machine.</summary>
    public const string UnresolvableIotEndpoint = "iot-data.local.invalid";

    /// <summary>Values for the template parameters that have no Default (they name something of the real account),
    /// when no override is passed.</summary>
    public static IReadOnlyDictionary<string, string> LocalParameterDefaults { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["IotDataEndpoint"] = UnresolvableIotEndpoint,
    };

    /// <summary>The template's <c>Handler</c> values -> the project that builds the function, relative to the
    /// template's folder (the repository root).</summary>
    public static IReadOnlyDictionary<string, string> ProjectsByHandler { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ingest"] = "src/Ingest/Queueing.Ingest.csproj",
        [CommandApiHandler] = "src/Actuate/Queueing.Actuate.csproj",
        ["command-publisher"] = "src/Actuate/Queueing.Actuate.csproj",
    };

    /// <summary>The command API's handler: its 202 answers are the commands' books.</summary>
    public const string CommandApiHandler = "command-api";

    /// <summary>The command API's route, which the Waylay plug posts to.</summary>
    public const string CommandsMethod = "POST";
    public const string CommandsPath = "/commands";

    /// <summary>The settings pointed at the local servers: the Waylay broker (Ingest) and the IoT Data endpoint
    /// (the command publisher).</summary>
    public const string WaylayDataUrlVariable = "WAYLAY_DATA_URL";
    public const string IotDataEndpointVariable = "IOT_DATA_ENDPOINT";

    /// <summary>The settings naming an SSM SecureString parameter, which the local AWS is given a local value for
    /// (see <see cref="Aws.LocalSecrets"/>).</summary>
    public const string WaylayCredentialsVariable = "WAYLAY_CREDENTIALS_PARAMETER";
    public const string CommandSigningSecretVariable = "COMMAND_SIGNING_SECRET_PARAMETER";

    /// <summary>The Waylay vault keys the <c>queueingCommand</c> plug reads, as <c>waylay/deploy</c> writes them.</summary>
    public const string CommandApiUrlVaultKey = "QUEUEING_COMMAND_API_URL";
    public const string CommandSigningSecretVaultKey = "QUEUEING_COMMAND_SIGNING_SECRET";

    /// <summary>The template parameter with the replaced setup's topic filter, and the thing names of the simulated
    /// devices that publish there (<c>up --legacy-devices</c>).</summary>
    public const string LegacyTopicParameter = "LegacyTelemetryTopicFilter";
    public const string LegacyThingNamePrefix = "legacy-";

    /// <summary>The template parameter with the topic filter devices acknowledge their commands on (the device id at
    /// <c>topic(2)</c>, one <c>+</c>), and the filter the simulated devices use when the template has no such parameter.</summary>
    public const string CommandAckTopicParameter = "CommandAckTopicFilter";
    public const string DefaultCommandAckTopicFilter = "devices/+/commands/ack";

    /// <summary>The field of the Waylay events Ingest makes of command outcomes (issue 15): <c>published</c>,
    /// <c>acknowledged</c>, <c>failed</c>, <c>expired</c>, <c>rejected</c>, <c>undelivered</c>, <c>ackDue</c>. Telemetry events never carry it.</summary>
    public const string CommandStatusField = CommandStatusKinds.WaylayField;

    /// <summary>The <c>commandEvent</c>s of the command publisher's status messages (docs/commands.md).</summary>
    public static IReadOnlyList<string> PublisherStatuses { get; } = [.. CommandStatusKinds.SentByPublisher.Select(k => k.ToWire())];

    public static IReadOnlyList<string> CommandStatuses { get; } = [.. Enum.GetValues<CommandStatusKind>().Select(k => k.ToWire())];

    /// <summary>The device policy when the template declares none, the same as the template's with its default
    /// parameters: telemetry out on <c>devices/{thingName}/telemetry</c>, acks out on its own
    /// <c>devices/{thingName}/commands/ack</c> (<see cref="DefaultCommandAckTopicFilter"/>, the template's
    /// PublishOwnCommandAcks), commands in on <c>devices/{thingName}/commands</c>.</summary>
    public static DevicePolicy DevicePolicy { get; } = new(["devices/{thingName}/telemetry", "devices/{thingName}/commands/ack"], ["devices/{thingName}/commands"]);

    /// <summary>The stack's pseudo parameters locally, on <paramref name="sqsEndpoint"/> when the local AWS is known.</summary>
    public static StackContext Stack(Uri? sqsEndpoint = null) =>
        sqsEndpoint is null ? new StackContext { StackName = StackName } : new StackContext { StackName = StackName, SqsEndpoint = sqsEndpoint };

    /// <summary>The Waylay tenant's vault as the plugs read it: where the command API is and the shared secret.</summary>
    public static IReadOnlyDictionary<string, string> WaylayVault(Uri commandApiUrl, string signingSecret) =>
        new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [CommandApiUrlVaultKey] = commandApiUrl.AbsoluteUri,
            [CommandSigningSecretVaultKey] = signingSecret,
        };

    /// <summary>The settings of <paramref name="function"/> that point at a local server, for the servers given: only
    /// settings the function declares (as <c>sam local</c>'s <c>--env-vars</c>), without a trailing slash.</summary>
    public static Dictionary<string, string> LocalEndpoints(FunctionDefinition function, Uri? waylayDataUrl, Uri? iotDataEndpoint)
    {
        var endpoints = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (variable, url) in new[] { (WaylayDataUrlVariable, waylayDataUrl), (IotDataEndpointVariable, iotDataEndpoint) })
        {
            if (url is not null && function.Environment.ContainsKey(variable))
            {
                endpoints[variable] = url.ToString().TrimEnd('/');
            }
        }

        return endpoints;
    }
}
