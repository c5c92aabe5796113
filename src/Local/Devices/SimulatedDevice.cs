using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using Microsoft.Extensions.Logging;

namespace Queueing.Local.Devices;

/// <summary>
/// One simulated thing: an MQTT client whose client id is its thing name (as the device policy requires), publishing
/// <c>{"lightValue":n,"timestamp":ms}</c> (or that reading in the replaced setup's envelope) on its telemetry topic
/// and recording the commands it receives in order.
/// It keeps a persistent session, so commands published while it is reconnecting are delivered afterwards.
/// When it has an ack topic it answers each command there (QoS 1, in arrival order, from a loop of its own: MQTTnet
/// must not wait for a PUBACK inside its receive handler) with
/// <c>{"commandId","status":"done"|"failed","detail"?,"acceptedAt"?}</c>, the command id and acceptedAt taken from the
/// command's MQTT 5 user properties; a command without a command id is logged and not acknowledged.
/// </summary>
internal sealed partial class SimulatedDevice : IAsyncDisposable
{
    private readonly int _index;
    private readonly SimulatedDeviceOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IMqttClient _client;
    private readonly MqttClientOptions _clientOptions;
    private readonly Lock _lock = new();
    private readonly List<ReceivedCommand> _commands = [];
    private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];
    private readonly LoopLatencyMeter _loop;
    private readonly Random _ackDraws;
    private readonly Channel<ReceivedCommand> _acks = Channel.CreateUnbounded<ReceivedCommand>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _ackLoop;
    private long _acknowledged;
    private long _ackFailed;
    private long _silent;
    private long _ackNotPublished;
    private long _ackPending;
    private string? _lastAck;
    private int _sent;
    private long _published;
    private long _publishFailures;
    private int? _lastValue;
    private long _lastTimestamp;

    internal SimulatedDevice(string thingName, int index, SimulatedDeviceOptions options, TimeProvider time, ILogger logger)
    {
        ThingName = thingName;
        _index = index;
        _options = options;
        _time = time;
        _logger = logger;
        _loop = new LoopLatencyMeter(options.Signal.Threshold);
        TelemetryTopic = options.TopicFor(options.TelemetryTopicTemplate, thingName);
        CommandTopic = options.TopicFor(options.CommandTopicTemplate, thingName);
        AckTopic = options.AckTopicTemplate is { } ackTemplate ? options.TopicFor(ackTemplate, thingName) : null;
        _ackDraws = AckBehaviour.GeneratorFor(index);
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(options.BrokerHost, options.BrokerPort)
            .WithClientId(thingName)
            .WithProtocolVersion(options.ProtocolVersion)
            .WithCleanSession(false);
        if (options.ProtocolVersion == MqttProtocolVersion.V500)
        {
            // AWS IoT Core keeps a persistent session for an hour by default.
            builder.WithSessionExpiryInterval(3600);
        }

        _clientOptions = builder.Build();
        _ackLoop = AckTopic is null ? Task.CompletedTask : Task.Run(AckLoopAsync);
    }

    public string ThingName { get; }

    public string TelemetryTopic { get; }

    public string CommandTopic { get; }

    /// <summary>Where the device acknowledges its commands; null when it does not.</summary>
    public string? AckTopic { get; }

    public bool IsConnected => _client.IsConnected;

    public long Published => Interlocked.Read(ref _published);

    public long PublishFailures => Interlocked.Read(ref _publishFailures);

    /// <summary>The light value of the last telemetry message the broker acknowledged.</summary>
    public int? LastValue
    {
        get
        {
            lock (_lock)
            {
                return _lastValue;
            }
        }
    }

    public int CommandsReceived
    {
        get
        {
            lock (_lock)
            {
                return _commands.Count;
            }
        }
    }

    public ReceivedCommand? LastCommand
    {
        get
        {
            lock (_lock)
            {
                return _commands.Count > 0 ? _commands[^1] : null;
            }
        }
    }

    /// <summary>What the device answered to the commands it received so far (see <see cref="AckCounters"/>).</summary>
    public AckCounters Acks
    {
        get
        {
            lock (_lock)
            {
                return new AckCounters(_commands.Count, _acknowledged, _ackFailed, _silent, _ackNotPublished, _ackPending);
            }
        }
    }

    /// <summary>The device's last answer: <c>done</c> or <c>failed</c> (an ack the broker took), <c>silent</c>,
    /// <c>not published</c>, or null before the first.</summary>
    public string? LastAck
    {
        get
        {
            lock (_lock)
            {
                return _lastAck;
            }
        }
    }

    /// <summary>Every command received so far, in arrival order.</summary>
    public IReadOnlyList<ReceivedCommand> Commands
    {
        get
        {
            lock (_lock)
            {
                return _commands.ToArray();
            }
        }
    }

    /// <summary>Connects and subscribes to the command topic (QoS 1).</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        var connected = await _client.ConnectAsync(_clientOptions, cancellationToken);
        if (connected.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"{ThingName} could not connect: {connected.ResultCode} {connected.ReasonString}");
        }

        var subscribed = await _client.SubscribeAsync(
            new MqttClientSubscribeOptionsBuilder().WithTopicFilter(CommandTopic, MqttQualityOfServiceLevel.AtLeastOnce).Build(),
            cancellationToken);
        var granted = subscribed.Items.Single().ResultCode;
        if (granted is not (MqttClientSubscribeResultCode.GrantedQoS0 or MqttClientSubscribeResultCode.GrantedQoS1 or MqttClientSubscribeResultCode.GrantedQoS2))
        {
            throw new InvalidOperationException($"{ThingName} could not subscribe to {CommandTopic}: {granted}");
        }
    }

    /// <summary>Publishes the next telemetry message (QoS 1); false when it was refused or could not be sent.</summary>
    public async Task<bool> PublishTelemetryAsync(CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref _sent) - 1;
        var value = _options.Signal.ValueAt(n, _index, _options.Count);
        var reading = string.Create(CultureInfo.InvariantCulture, $$"""{"lightValue":{{value}},"timestamp":{{NextTimestamp()}}}""");
        var payload = _options.Payload == DevicePayload.Envelope ? $$"""{"deviceID":"{{ThingName}}","data":{{reading}}}""" : reading;
        try
        {
            if (!_client.IsConnected)
            {
                await ConnectAsync(cancellationToken);
            }

            // Before the publish: the loop starts when the message leaves, and a publish whose ack was lost may
            // still have reached the broker.
            _loop.Published(value, _time.GetTimestamp());
            var result = await _client.PublishAsync(
                new MqttApplicationMessageBuilder().WithTopic(TelemetryTopic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
                cancellationToken);
            if (!result.IsSuccess)
            {
                Interlocked.Increment(ref _publishFailures);
                LogPublishRefused(ThingName, TelemetryTopic, result.ReasonCode.ToString(), result.ReasonString ?? string.Empty);
                return false;
            }
        }
        catch (Exception ex) when (ex is MqttCommunicationException or InvalidOperationException)
        {
            // Not connected, or the broker went away: counted, and the next publish reconnects.
            Interlocked.Increment(ref _publishFailures);
            LogPublishFailed(ThingName, ex.Message);
            return false;
        }

        Interlocked.Increment(ref _published);
        lock (_lock)
        {
            _lastValue = value;
        }

        return true;
    }

    /// <summary>Epoch milliseconds, strictly increasing per device: Waylay keys an event by resource and timestamp, so
    /// two messages in one millisecond must not collide.</summary>
    private long NextTimestamp()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long last, next;
        do
        {
            last = Interlocked.Read(ref _lastTimestamp);
            next = Math.Max(now, last + 1);
        }
        while (Interlocked.CompareExchange(ref _lastTimestamp, next, last) != last);
        return next;
    }

    /// <summary>Publishes <see cref="SimulatedDeviceOptions.MessagesPerDevice"/> messages (or until cancelled),
    /// <see cref="SimulatedDeviceOptions.Interval"/> apart.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        for (var n = 0; _options.MessagesPerDevice is not { } limit || n < limit; n++)
        {
            if (n > 0 && _options.Interval > TimeSpan.Zero)
            {
                await Task.Delay(_options.Interval, _time, cancellationToken);
            }

            cancellationToken.ThrowIfCancellationRequested();
            // Stopping ends the loop between messages, never inside a publish: a publish cut short may have reached
            // the broker without being counted, and the books would show more delivered than sent. MQTTnet's own
            // communication timeout bounds the wait for the broker's acknowledgement.
            await PublishTelemetryAsync(CancellationToken.None);
        }
    }

    /// <summary>Completes when at least <paramref name="count"/> commands have arrived.</summary>
    public Task WaitForCommandsAsync(int count, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_commands.Count >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    public async Task DisconnectAsync(CancellationToken cancellationToken)
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), cancellationToken);
        }
    }

    /// <summary>Completes when every ack decided so far has been published (or failed to be).</summary>
    public async Task WaitForAcksAsync(CancellationToken cancellationToken)
    {
        while (Acks.Pending > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // The acks already decided are published (or fail) before the device disconnects.
        _acks.Writer.TryComplete();
        await _ackLoop;
        try
        {
            await DisconnectAsync(CancellationToken.None);
        }
        catch (MqttCommunicationException)
        {
            // The broker is already gone; nothing left to close.
        }

        _client.Dispose();
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs args)
    {
        var message = args.ApplicationMessage;
        var properties = message.UserProperties is { Count: > 0 } list
            ? list.Select(p => KeyValuePair.Create(p.Name, p.ReadValueAsString())).ToArray()
            : [];
        var commandId = properties.FirstOrDefault(p => p.Key == _options.CommandIdProperty).Value;
        if (commandId is null)
        {
            LogCommandWithoutId(ThingName, message.Topic, _options.CommandIdProperty);
        }

        var arrived = _time.GetTimestamp();
        var payload = Encoding.UTF8.GetString(message.Payload.ToArray());
        lock (_lock)
        {
            var command = new ReceivedCommand(
                _commands.Count + 1,
                message.Topic,
                payload,
                commandId,
                properties,
                _time.GetUtcNow(),
                _loop.Answered(payload, arrived, _time),
                commandId is not null && AckTopic is not null ? _options.Acks.Outcome(_ackDraws.NextDouble()) : AckOutcome.Silent);
            _commands.Add(command);
            if (command.Ack == AckOutcome.Silent)
            {
                _silent++;
                _lastAck = "silent";
            }
            else
            {
                _ackPending++;
                _acks.Writer.TryWrite(command);
            }

            foreach (var waiter in _waiters.Where(w => w.Count <= _commands.Count).ToList())
            {
                waiter.Done.TrySetResult();
                _waiters.Remove(waiter);
            }
        }

        return Task.CompletedTask;
    }

    private async Task AckLoopAsync()
    {
        await foreach (var command in _acks.Reader.ReadAllAsync())
        {
            var published = await PublishAckAsync(command);
            lock (_lock)
            {
                _ackPending--;
                if (!published)
                {
                    _ackNotPublished++;
                    _lastAck = "not published";
                }
                else if (command.Ack == AckOutcome.Failed)
                {
                    _ackFailed++;
                    _lastAck = "failed";
                }
                else
                {
                    _acknowledged++;
                    _lastAck = "done";
                }
            }
        }
    }

    /// <summary>Publishes the ack of <paramref name="command"/> (QoS 1); false when it was refused or could not be sent.</summary>
    private async Task<bool> PublishAckAsync(ReceivedCommand command)
    {
        try
        {
            // Never cancelled: a publish cut short may have reached the broker uncounted. MQTTnet's communication
            // timeout bounds the wait, and a device that is not connected fails at once.
            var result = await _client.PublishAsync(
                new MqttApplicationMessageBuilder()
                    .WithTopic(AckTopic)
                    .WithPayload(AckPayload(command, _options.AcceptedAtProperty))
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build(),
                CancellationToken.None);
            if (!result.IsSuccess)
            {
                LogPublishRefused(ThingName, AckTopic!, result.ReasonCode.ToString(), result.ReasonString ?? string.Empty);
                return false;
            }

            return true;
        }
        catch (Exception ex) when (ex is MqttCommunicationException or InvalidOperationException or OperationCanceledException)
        {
            LogAckFailed(ThingName, command.CommandId!, ex.Message);
            return false;
        }
    }

    /// <summary><c>{"commandId":"...","status":"done"|"failed","detail"?:"...","acceptedAt"?:"..."}</c>.</summary>
    internal static byte[] AckPayload(ReceivedCommand command, string acceptedAtProperty)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("commandId", command.CommandId);
            json.WriteString("status", command.Ack == AckOutcome.Failed ? "failed" : "done");
            if (command.Ack == AckOutcome.Failed)
            {
                json.WriteString("detail", AckBehaviour.FailureDetail);
            }

            if (command.UserProperties.FirstOrDefault(p => p.Key == acceptedAtProperty).Value is { } acceptedAt)
            {
                json.WriteString("acceptedAt", acceptedAt);
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ThingName}: a command on {Topic} has no {Property} user property; it is not acknowledged")]
    private partial void LogCommandWithoutId(string thingName, string topic, string property);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ThingName}: the ack of command {CommandId} could not be published: {Error}")]
    private partial void LogAckFailed(string thingName, string commandId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ThingName}: publish to {Topic} refused: {ReasonCode} {Reason}")]
    private partial void LogPublishRefused(string thingName, string topic, string reasonCode, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ThingName}: publish failed: {Error}")]
    private partial void LogPublishFailed(string thingName, string error);
}
