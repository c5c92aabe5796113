using Queueing.AotBench.Events;
using Queueing.Emulators.IoT.Broker;
using Queueing.Emulators.IoT.Data;
using Queueing.Local.Functions;

namespace Queueing.AotBench.Scenarios;

/// <summary>
/// The command publisher: 10-record FIFO batches against the local stack's IoT Data endpoint (SigV4 verified on every
/// publish, then into a local MQTT broker with no subscriber). Every invocation must answer with no batch item
/// failure and the endpoint must have published exactly its 10 commands, refusing none.
/// </summary>
internal sealed class PublisherScenario(int devices) : IBenchScenario
{
    private MqttBroker? _mqtt;
    private IotDataEndpoint? _iotData;
    private CommandBatchEvents? _events;

    public string Unit => "command";

    public int ItemsPerInvocation => CommandBatchEvents.BatchSize;

    public async Task<IReadOnlyDictionary<string, string>> StartAsync(BenchStack stack, CancellationToken cancellationToken)
    {
        _mqtt = new MqttBroker(new MqttBrokerOptions());
        await _mqtt.StartAsync(cancellationToken);
        _iotData = new IotDataEndpoint(
            new IotDataEndpointOptions(new SigV4Credentials(LocalAwsAccess.AccessKeyId, LocalAwsAccess.SecretAccessKey, LocalAwsAccess.SessionToken), stack.Access.Region),
            _mqtt);
        await _iotData.StartAsync(cancellationToken);
        var source = stack.Function.SqsEvents.FirstOrDefault()
            ?? throw new InvalidOperationException($"{stack.Function.LogicalId} has no SQS event source in the template.");
        var topics = stack.Function.Environment.GetValueOrDefault("COMMAND_TOPIC_TEMPLATE")
            ?? throw new InvalidOperationException($"{stack.Function.LogicalId} has no COMMAND_TOPIC_TEMPLATE in the template.");
        _events = new CommandBatchEvents(devices, source.QueueArn, stack.Access.Region, topics);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["IOT_DATA_ENDPOINT"] = _iotData.BaseAddress.ToString().TrimEnd('/'),
        };
    }

    public string Describe() =>
        $"publisher: 10-record FIFO batches over {devices} devices (message group = device) per invocation; IoT Data stand-in on loopback (SigV4 checked) answering at once";

    public byte[] NextEvent() => (_events ?? throw new InvalidOperationException("The scenario is not started.")).Next(DateTimeOffset.UtcNow);

    public StandInCount Count()
    {
        var counters = (_iotData ?? throw new InvalidOperationException("The scenario is not started.")).Counters;
        var refused = counters.Forbidden + counters.BadRequests + counters.TooLarge;
        return new StandInCount(counters.Published + refused, counters.Published, refused);
    }

    public string? Check(byte[] response, StandInCount taken)
    {
        if (BatchResponse.Problem(response) is { } problem)
        {
            return problem;
        }

        if (taken.Refused != 0)
        {
            return $"The IoT Data endpoint refused {taken.Refused} publishes.";
        }

        return taken.Items == CommandBatchEvents.BatchSize ? null : $"The IoT Data endpoint published {taken.Items} of the {CommandBatchEvents.BatchSize} commands.";
    }

    public Task<string?> CheckRunAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    public async ValueTask DisposeAsync()
    {
        if (_iotData is not null)
        {
            await _iotData.DisposeAsync();
        }

        if (_mqtt is not null)
        {
            await _mqtt.DisposeAsync();
        }
    }
}
