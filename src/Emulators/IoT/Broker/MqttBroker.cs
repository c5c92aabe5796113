using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Queueing.Emulators.IoT.Broker;

/// <summary>
/// The local IoT Core message broker: MQTTnet's server on loopback (MQTT 3.1.1 and 5) with AWS IoT Core's
/// limits — 128 KB payloads, topics of at most 256 bytes and 7 slashes, no QoS 2 — an optional device policy,
/// and every accepted message handed to the <see cref="IPublishedMessageSink"/>s (the topic rules). A message on a
/// Basic Ingest topic (<c>$aws/rules/&lt;rule&gt;/...</c>) goes to the sinks marked as such and to no subscriber, and no
/// client may subscribe to one, as AWS documents.
/// </summary>
public sealed partial class MqttBroker : IAsyncDisposable
{
    /// <summary>The sender id of messages injected by <see cref="PublishAsync"/>; no MQTT client may use it
    /// (it is not a valid thing name, and the broker refuses it on connect).</summary>
    public const string InjectedSenderId = "$local/iot-data";

    private const string ProtocolKey = "local.protocol";
    private const int StartAttempts = 5;

    private readonly MqttBrokerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<IPublishedMessageSink> _sinks = [];
    private MqttServer? _server;
    private readonly MqttBrokerCounters _counts = new();

    public MqttBroker(MqttBrokerOptions options, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger<MqttBroker>();
    }

    public string Host => _options.Address.ToString();

    public int Port { get; private set; }

    /// <summary><c>mqtt://host:port</c>, for clients and the live view.</summary>
    public Uri Address => new($"mqtt://{Host}:{Port}");

    public MqttBrokerCounters Counters => _counts.Snapshot();

    /// <summary>Adds a sink; call before <see cref="StartAsync"/>.</summary>
    public void AddSink(IPublishedMessageSink sink)
    {
        if (_server is not null)
        {
            throw new InvalidOperationException("Add sinks before the broker starts.");
        }

        _sinks.Add(sink);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            throw new InvalidOperationException("The broker is already started.");
        }

        // MQTTnet cannot report the port the OS picks for port 0, so pick a free one and retry if it was taken
        // between probe and bind.
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var port = _options.Port != 0 ? _options.Port : FreePort(_options.Address);
            var server = CreateServer(port);
            try
            {
                await server.StartAsync();
                _server = server;
                Port = port;
                LogStarted(Host, port, _options.Policy is not null);
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse && _options.Port == 0 && attempt < StartAttempts)
            {
                server.Dispose();
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is { IsStarted: true } server)
        {
            await server.StopAsync().WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Publishes as the service itself (the IoT Data API's path into the broker): no device policy applies, the
    /// rules see <see cref="PublishedMessage.ClientId"/> null, subscribers get the MQTT 5 user properties.
    /// </summary>
    public async Task PublishAsync(
        string topic,
        ReadOnlyMemory<byte> payload,
        int qos,
        IReadOnlyList<KeyValuePair<string, string>> userProperties,
        bool retain,
        CancellationToken cancellationToken,
        uint? messageExpirySeconds = null)
    {
        var server = _server ?? throw new InvalidOperationException("The broker is not started.");
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload.ToArray())
            .WithQualityOfServiceLevel((MqttQualityOfServiceLevel)qos)
            .WithRetainFlag(retain);
        if (messageExpirySeconds is { } expiry)
        {
            builder.WithMessageExpiryInterval(expiry);
        }

        foreach (var (name, value) in userProperties)
        {
            builder.WithUserProperty(name, Encoding.UTF8.GetBytes(value).AsMemory());
        }

        await server.InjectApplicationMessage(
            new InjectedMqttApplicationMessage(builder.Build()) { SenderClientId = InjectedSenderId },
            cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is { } server)
        {
            if (server.IsStarted)
            {
                await server.StopAsync();
            }

            server.Dispose();
            _server = null;
        }
    }

    private MqttServer CreateServer(int port)
    {
        var options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(_options.Address)
            .WithDefaultEndpointBoundIPV6Address(IPAddress.None)
            .WithDefaultEndpointPort(port)
            .Build();
        var server = new MqttServerFactory().CreateMqttServer(options);
        server.ValidatingConnectionAsync += OnValidatingConnectionAsync;
        server.ClientConnectedAsync += _ =>
        {
            Interlocked.Increment(ref _counts.ConnectedClients);
            return Task.CompletedTask;
        };
        server.ClientDisconnectedAsync += _ =>
        {
            Interlocked.Decrement(ref _counts.ConnectedClients);
            return Task.CompletedTask;
        };
        server.InterceptingSubscriptionAsync += OnInterceptingSubscriptionAsync;
        server.InterceptingPublishAsync += OnInterceptingPublishAsync;
        return server;
    }

    private Task OnValidatingConnectionAsync(ValidatingConnectionEventArgs args)
    {
        args.SessionItems[ProtocolKey] = args.ProtocolVersion;
        var problem = args.ClientId == InjectedSenderId
            ? $"The client id '{InjectedSenderId}' is reserved for the IoT Data API."
            : _options.Policy?.ProblemWithConnect(args.ClientId);
        if (problem is not null)
        {
            args.ReasonCode = MqttConnectReasonCode.ClientIdentifierNotValid;
            args.ReasonString = problem;
            Interlocked.Increment(ref _counts.ConnectionsRejected);
            LogConnectionRejected(args.ClientId, problem);
        }

        return Task.CompletedTask;
    }

    private Task OnInterceptingSubscriptionAsync(InterceptingSubscriptionEventArgs args)
    {
        var filter = args.TopicFilter.Topic;
        var problem = MqttTopics.ProblemWithTopicFilter(filter);
        var reason = MqttSubscribeReasonCode.TopicFilterInvalid;
        if (problem is null && BasicIngestTopic.IsBasicIngest(filter))
        {
            // AWS: "Your devices and rules can't subscribe to Basic Ingest reserved topics", whatever the policy.
            problem = $"'{filter}' is a Basic Ingest topic ({BasicIngestTopic.Prefix}<rule name>/...): its messages go to that rule only, and no client may subscribe to it.";
            reason = MqttSubscribeReasonCode.NotAuthorized;
        }
        else if (problem is null && _options.Policy is { } policy && !policy.AllowsSubscribe(args.ClientId, filter))
        {
            problem = $"The device policy does not allow '{args.ClientId}' to subscribe to '{filter}'.";
            reason = MqttSubscribeReasonCode.NotAuthorized;
        }

        if (problem is not null)
        {
            // AWS answers a refused subscription with a failure SUBACK (0x80 on MQTT 3.1.1) and keeps the connection.
            args.ProcessSubscription = false;
            args.Response.ReasonCode = reason;
            args.Response.ReasonString = problem;
            Interlocked.Increment(ref _counts.SubscriptionsRejected);
            LogSubscriptionRejected(args.ClientId, filter, problem);
            return Task.CompletedTask;
        }

        if (args.TopicFilter.QualityOfServiceLevel == MqttQualityOfServiceLevel.ExactlyOnce)
        {
            // AWS IoT Core supports QoS 0 and 1 only; a QoS 2 request is granted as QoS 1.
            args.TopicFilter.QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce;
            args.Response.ReasonCode = MqttSubscribeReasonCode.GrantedQoS1;
        }

        return Task.CompletedTask;
    }

    private Task OnInterceptingPublishAsync(InterceptingPublishEventArgs args)
    {
        var message = args.ApplicationMessage;
        var injected = args.ClientId == InjectedSenderId;
        if (!injected && ProblemWithClientPublish(args.ClientId, message) is var (problem, reason, disconnect))
        {
            args.ProcessPublish = false;
            args.Response.ReasonCode = reason;
            args.Response.ReasonString = problem;
            // An MQTT 3.1.1 client cannot be told a publish was refused; AWS disconnects it instead.
            args.CloseConnection = disconnect || Equals(args.SessionItems[ProtocolKey], MqttProtocolVersion.V311);
            Interlocked.Increment(ref _counts.PublishesRejected);
            LogPublishRejected(args.ClientId, message.Topic, problem);
            return Task.CompletedTask;
        }

        var basicIngest = BasicIngestTopic.Parse(message.Topic);
        var published = new PublishedMessage(
            message.Topic,
            message.Payload.ToArray(),
            injected ? null : args.ClientId,
            (int)message.QualityOfServiceLevel,
            message.Retain,
            message.UserProperties is { Count: > 0 } properties
                ? properties.Select(p => KeyValuePair.Create(p.Name, p.ReadValueAsString())).ToArray()
                : [],
            _time.GetUtcNow())
        {
            BasicIngest = basicIngest,
        };
        if (basicIngest is not null)
        {
            // Basic Ingest skips the message broker: the rules engine takes the message (the client gets its PUBACK
            // once it has), no subscriber receives it and nothing is retained.
            args.ProcessPublish = false;
            args.Response.ReasonCode = MqttPubAckReasonCode.Success;
        }

        Interlocked.Increment(ref _counts.Published);
        foreach (var sink in _sinks)
        {
            try
            {
                sink.Accept(published);
            }
            catch (Exception ex)
            {
                // A sink's bug must not break the broker's receive loop for this client; it is logged loudly.
                LogSinkFailed(ex, sink.GetType().Name, message.Topic);
            }
        }

        return Task.CompletedTask;
    }

    private (string Problem, MqttPubAckReasonCode Reason, bool Disconnect)? ProblemWithClientPublish(string clientId, MqttApplicationMessage message)
    {
        if (message.QualityOfServiceLevel == MqttQualityOfServiceLevel.ExactlyOnce)
        {
            return ("AWS IoT Core does not support QoS 2.", MqttPubAckReasonCode.ImplementationSpecificError, true);
        }

        if (message.Payload.Length > _options.MaxPayloadBytes)
        {
            return ($"The payload is {message.Payload.Length} bytes; the limit is {_options.MaxPayloadBytes}.", MqttPubAckReasonCode.ImplementationSpecificError, false);
        }

        if (MqttTopics.ProblemWithTopicName(message.Topic) is { } topicProblem)
        {
            return (topicProblem, MqttPubAckReasonCode.TopicNameInvalid, false);
        }

        if (_options.Policy is { } policy && !policy.AllowsPublish(clientId, message.Topic))
        {
            return ($"The device policy does not allow '{clientId}' to publish to '{message.Topic}'.", MqttPubAckReasonCode.NotAuthorized, false);
        }

        return null;
    }

    private static int FreePort(IPAddress address)
    {
        using var listener = new TcpListener(address, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT broker listening on {Host}:{Port} (device policy enforced: {PolicyEnforced})")]
    private partial void LogStarted(string host, int port, bool policyEnforced);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused connection from {ClientId}: {Problem}")]
    private partial void LogConnectionRejected(string clientId, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused subscription of {ClientId} to {TopicFilter}: {Problem}")]
    private partial void LogSubscriptionRejected(string clientId, string topicFilter, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused publish of {ClientId} to {Topic}: {Problem}")]
    private partial void LogPublishRejected(string clientId, string topic, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sink {Sink} failed on a message to {Topic}")]
    private partial void LogSinkFailed(Exception exception, string sink, string topic);
}
