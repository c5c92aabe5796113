using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.SQS.Model;
using Queueing.Contracts.Events;
using Queueing.Contracts.Sqs;
using Queueing.Emulators.Template;
using Queueing.Local.Cli;
using Queueing.Local.EventSources;

namespace Queueing.Local.Events;

/// <summary>What <c>generate-event sqs</c> was asked for.</summary>
internal sealed record SqsEventOptions
{
    /// <summary>The device's payload (telemetry) or the command payload (FIFO); null for a sample.</summary>
    public string? Body { get; init; }

    /// <summary>Use <see cref="Body"/> as the SQS message body as is (e.g. to make malformed records).</summary>
    public bool Raw { get; init; }

    public string Device { get; init; } = "lamp-1";
    public int Count { get; init; } = 1;
    public string? QueueName { get; init; }
    public bool Fifo { get; init; }

    /// <summary>Telemetry published on this legacy topic: the record LegacyTelemetryRule writes (client id = <see cref="Device"/>).</summary>
    public string? LegacyTopic { get; init; }

    /// <summary>A device's acknowledgement as CommandAckRule writes it; <see cref="Body"/> is the device's ack payload
    /// (default: <c>done</c> for <see cref="CommandId"/>).</summary>
    public bool Ack { get; init; }

    /// <summary>A status message the command publisher sends (its wire name: published, ackDue, expired, rejected,
    /// undelivered); <see cref="Body"/> is its <c>detail</c> (default: a sample reason for a parked command's).</summary>
    public string? CommandStatus { get; init; }

    /// <summary>The command an ack or a status is about; default a new id per record.</summary>
    public string? CommandId { get; init; }

    public string Region { get; init; } = "us-east-1";
}

/// <summary>
/// SQS events in the shape Lambda's SQS event source delivers, carrying this project's messages: telemetry as the
/// IoT rule writes it (the device's object plus <c>deviceId</c> from the topic and <c>receivedAt</c>), a device's
/// acknowledgement as CommandAckRule writes it, a command publisher's status message, or, for a FIFO queue, command
/// messages (group = device id, with the Queueing.* message attributes).
/// </summary>
internal sealed class SqsEventGenerator
{
    private const string SenderId = "AROALOCALEXAMPLE:queueing-local";
    private readonly TimeProvider _time;

    public SqsEventGenerator(TimeProvider time) => _time = time;

    public SqsEvent Generate(SqsEventOptions options)
    {
        if (options.Count < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "--count must be at least 1.");
        }

        var status = CheckCommandEvent(options);

        var queueName = options.QueueName ?? (options.Fifo ? QueueingApplication.CommandQueueName : QueueingApplication.IngestQueueName);
        if (options.Fifo && !queueName.EndsWith(".fifo", StringComparison.Ordinal))
        {
            queueName += ".fifo";
        }

        var arn = $"arn:aws:sqs:{options.Region}:{StackContext.LocalAccountId}:{queueName}";
        var now = _time.GetUtcNow();
        var records = new List<SqsMessage>(options.Count);
        for (var i = 0; i < options.Count; i++)
        {
            var sent = now.AddMilliseconds(i * 1000);
            var (body, attributes) = options.Fifo ? Command(options, sent)
                : options.Ack ? (Ack(options, sent), [])
                : status is { } kind ? (Status(options, kind, sent), [])
                : (Telemetry(options, sent, i), new Dictionary<string, SqsMessageAttribute>());
            var received = new Message
            {
                MessageId = Guid.NewGuid().ToString(),
                ReceiptHandle = "AQEB" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)),
                Body = body,
                MD5OfBody = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(body))),
                MD5OfMessageAttributes = SqsMessageAttributesMd5.Compute(attributes),
                MessageAttributes = attributes.ToDictionary(a => a.Key, a => SqsMessageAttributes.ToSdk(a.Value), StringComparer.Ordinal),
                Attributes = new Dictionary<string, string>
                {
                    [SqsAttributeNames.ApproximateReceiveCount] = "1",
                    [SqsAttributeNames.SentTimestamp] = Millis(sent),
                    [SqsAttributeNames.SenderId] = SenderId,
                    [SqsAttributeNames.ApproximateFirstReceiveTimestamp] = Millis(sent.AddMilliseconds(20)),
                },
            };
            if (options.Fifo)
            {
                received.Attributes[SqsAttributeNames.MessageGroupId] = options.Device;
                received.Attributes[SqsAttributeNames.MessageDeduplicationId] = received.MessageId;
                received.Attributes[SqsAttributeNames.SequenceNumber] = (18_849_496_460_467_696_128m + i).ToString(CultureInfo.InvariantCulture);
            }

            // The same record the local SQS event source builds from a received message (EventSources/SqsPoller).
            records.Add(ReceivedMessages.ToRecord(received, arn, options.Region));
        }

        return new SqsEvent { Records = records };
    }

    /// <summary>The status kind asked for, if any; a usage error for an unknown one or for options that do not combine.</summary>
    private static string? CheckCommandEvent(SqsEventOptions options)
    {
        if (!options.Ack && options.CommandStatus is null)
        {
            return options.CommandId is null ? null : throw new UsageException("--command-id goes with --ack or --command-status.");
        }

        var conflicts = new[] { (options.Ack && options.CommandStatus is not null, "--command-status"), (options.Fifo, "--fifo"), (options.Raw, "--raw"), (options.LegacyTopic is not null, "--legacy-topic") }
            .Where(c => c.Item1).Select(c => c.Item2).ToList();
        var asked = options.Ack ? "--ack" : "--command-status";
        if (conflicts.Count > 0)
        {
            throw new UsageException($"{asked} does not go with {string.Join(", ", conflicts)}.");
        }

        if (options.Ack)
        {
            return null;
        }

        // A command id is passed as given, so a developer can see Ingest park a bad one; a typo in the kind is refused.
        return QueueingApplication.PublisherStatuses.Contains(options.CommandStatus!, StringComparer.Ordinal)
            ? options.CommandStatus
            : throw new UsageException($"--command-status '{options.CommandStatus}' is not one the publisher sends ({string.Join(", ", QueueingApplication.PublisherStatuses)}).");
    }

    /// <summary>What the template's CommandAckRule writes (a copy of its SQL's effect): the device id from the ack
    /// topic, the receive time and the device's payload, whatever it is, in base64.</summary>
    private static string Ack(SqsEventOptions options, DateTimeOffset sent)
    {
        var payload = options.Body ?? new JsonObject
        {
            ["commandId"] = options.CommandId ?? Guid.NewGuid().ToString(),
            ["status"] = "done",
            ["acceptedAt"] = Iso(sent.AddSeconds(-1)),
        }.ToJsonString();
        return new JsonObject
        {
            ["commandEvent"] = "ack",
            ["deviceId"] = options.Device,
            ["receivedAt"] = sent.ToUnixTimeMilliseconds(),
            ["base64OriginalPayload"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(payload)),
        }.ToJsonString();
    }

    /// <summary>A status message as the command publisher writes it (a copy of its writer's effect, docs/commands.md):
    /// accepted a second before <paramref name="sent"/>, the outcome at <paramref name="sent"/>.</summary>
    private static string Status(SqsEventOptions options, string kind, DateTimeOffset sent)
    {
        var commandId = options.CommandId ?? Guid.NewGuid().ToString();
        var detail = options.Body ?? kind switch
        {
            "expired" => $"Command {commandId} expired at {Iso(sent.AddMilliseconds(-1))}, 0.001 s before it could be published; it was not published.",
            "rejected" => "IoT Data Publish answered 403 Forbidden: not authorized (sample)",
            "undelivered" => "Receive 3 of 3: IoT Data Publish answered 503 Service Unavailable (sample)",
            _ => null,
        };
        var message = new JsonObject
        {
            ["commandEvent"] = kind,
            ["deviceId"] = options.Device,
            ["commandId"] = commandId,
            ["acceptedAt"] = Iso(sent.AddSeconds(-1)),
            ["at"] = Iso(sent),
        };
        if (detail is not null)
        {
            message["detail"] = detail;
        }

        return message.ToJsonString();
    }

    private static string Telemetry(SqsEventOptions options, DateTimeOffset sent, int index)
    {
        if (options.Raw)
        {
            return options.Body ?? string.Empty;
        }

        if (options.LegacyTopic is { } topic)
        {
            return Legacy(options, topic, sent, index);
        }

        JsonObject device;
        if (options.Body is null)
        {
            // A light sensor drifting upwards, so a batch crosses a threshold somewhere.
            device = new JsonObject { ["lightValue"] = 380 + (index * 25), ["timestamp"] = sent.ToUnixTimeMilliseconds() - 120 };
        }
        else
        {
            device = ParseObject(options.Body)
                ?? throw new FormatException("--body must be a JSON object (the device's payload); use --raw to send it as the message body as is.");
        }

        // What the template's two telemetry rules put on IngestQueue (a copy of their SQL's effect, on purpose: this
        // command, like sam local generate-event, does not read the template). A payload that sets neither deviceId
        // nor receivedAt: TelemetryRule, the payload plus both. Otherwise TelemetryClaimRule: no deviceId, the
        // topic's device id, the claims and the payload in base64, which the ingest function parks as rejected.
        if (!device.ContainsKey("deviceId") && !device.ContainsKey("receivedAt"))
        {
            device["deviceId"] = options.Device;
            device["receivedAt"] = sent.ToUnixTimeMilliseconds();
            return device.ToJsonString();
        }

        var claim = new JsonObject { ["topicDeviceId"] = options.Device };
        if (device.ContainsKey("deviceId"))
        {
            claim["claimedDeviceId"] = device["deviceId"]?.DeepClone();
        }

        if (device.ContainsKey("receivedAt"))
        {
            claim["claimedReceivedAt"] = device["receivedAt"]?.DeepClone();
        }

        claim["base64OriginalPayload"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(options.Body!));
        return claim.ToJsonString();
    }

    /// <summary>What the template's LegacyTelemetryRule writes (a copy of its SQL's effect): the client id, the topic,
    /// the receive time and the payload, whatever it is, in base64.</summary>
    private static string Legacy(SqsEventOptions options, string topic, DateTimeOffset sent, int index)
    {
        var payload = options.Body ?? new JsonObject
        {
            ["deviceID"] = options.Device,
            ["data"] = new JsonObject { ["lightValue"] = 380 + (index * 25), ["timestamp"] = sent.ToUnixTimeMilliseconds() - 120 },
        }.ToJsonString();
        return new JsonObject
        {
            ["clientId"] = options.Device,
            ["topic"] = topic,
            ["receivedAt"] = sent.ToUnixTimeMilliseconds(),
            ["base64OriginalPayload"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(payload)),
        }.ToJsonString();
    }

    private static (string Body, Dictionary<string, SqsMessageAttribute> Attributes) Command(SqsEventOptions options, DateTimeOffset accepted)
    {
        var commandId = Guid.NewGuid().ToString();
        var acceptedAt = Iso(accepted);
        var expiresAt = Iso(accepted.AddMinutes(5));
        var attributes = new Dictionary<string, SqsMessageAttribute>
        {
            ["Queueing.CommandId"] = new() { DataType = "String", StringValue = commandId },
            ["Queueing.AcceptedAt"] = new() { DataType = "String", StringValue = acceptedAt },
            ["Queueing.ExpiresAt"] = new() { DataType = "String", StringValue = expiresAt },
        };
        if (options.Raw)
        {
            return (options.Body ?? string.Empty, attributes);
        }

        JsonNode payload = options.Body is null ? new JsonObject { ["light"] = "on" } : ParseValue(options.Body);
        var body = new JsonObject
        {
            ["commandId"] = commandId,
            ["deviceId"] = options.Device,
            ["topic"] = $"devices/{options.Device}/commands",
            ["qos"] = 1,
            ["payload"] = payload,
            ["acceptedAt"] = acceptedAt,
            ["expiresAt"] = expiresAt,
        };
        return (body.ToJsonString(), attributes);
    }

    private static JsonObject? ParseObject(string json)
    {
        try
        {
            return JsonNode.Parse(json) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonNode ParseValue(string text)
    {
        try
        {
            return JsonNode.Parse(text) ?? JsonValue.Create(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    private static string Millis(DateTimeOffset time) => time.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
