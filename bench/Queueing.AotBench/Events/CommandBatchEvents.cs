using System.Globalization;
using System.Text.Json.Nodes;
using Queueing.Contracts.Events;
using Queueing.Contracts.Time;
using Queueing.Local.Events;

namespace Queueing.AotBench.Events;

/// <summary>
/// A <c>CommandQueue.fifo</c> batch as the command API writes its messages (src/Actuate/Api/CommandQueueWriter.cs):
/// the command JSON body, <c>MessageGroupId</c> = device, the three <c>Queueing.*</c> string attributes, and the FIFO
/// attributes SQS adds (sequence number, deduplication id). Every command is fresh (new id, accepted now, an hour
/// to live), so no run trips over its own expiry.
/// </summary>
internal sealed class CommandBatchEvents(int devices, string queueArn, string region, string topicTemplate)
{
    public const int BatchSize = 10;
    private const string SenderId = "AROAZ3EXAMPLECOMMANDAPI:queueing-command-api";
    private decimal _sequence = 18_849_496_460_467_696_128m;
    private int _next;

    /// <summary>The command ids of the last batch <see cref="Next"/> wrote, in order.</summary>
    public IReadOnlyList<string> LastCommandIds { get; private set; } = [];

    public byte[] Next(DateTimeOffset now)
    {
        var records = new List<SqsRecord>(BatchSize);
        var ids = new List<string>(BatchSize);
        for (var i = 0; i < BatchSize; i++)
        {
            var device = "lamp-" + (_next++ % devices).ToString("D4", CultureInfo.InvariantCulture);
            var commandId = Guid.NewGuid().ToString();
            ids.Add(commandId);
            var acceptedAt = IsoTime.Format(now);
            var expiresAt = IsoTime.Format(now.AddHours(1));
            var body = new JsonObject
            {
                ["commandId"] = commandId,
                ["deviceId"] = device,
                ["topic"] = topicTemplate.Replace("{deviceId}", device, StringComparison.Ordinal),
                ["qos"] = 1,
                ["payload"] = new JsonObject { ["lightStatus"] = "on" },
                ["acceptedAt"] = acceptedAt,
                ["expiresAt"] = expiresAt,
            }.ToJsonString();
            var messageAttributes = new List<KeyValuePair<string, string>>
            {
                new("Queueing.AcceptedAt", acceptedAt),
                new("Queueing.CommandId", commandId),
                new("Queueing.ExpiresAt", expiresAt),
            };
            var sent = now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            records.Add(new SqsRecord(
                body,
                [
                    new("ApproximateReceiveCount", "1"),
                    new("SentTimestamp", sent),
                    new("SequenceNumber", (_sequence++).ToString(CultureInfo.InvariantCulture)),
                    new("MessageGroupId", device),
                    new("SenderId", SenderId),
                    new("MessageDeduplicationId", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Guid.NewGuid().ToByteArray()))),
                    new("ApproximateFirstReceiveTimestamp", sent),
                ],
                messageAttributes,
                SqsMessageAttributesMd5.Compute(messageAttributes.ToDictionary(a => a.Key, a => new SqsMessageAttribute { DataType = "String", StringValue = a.Value }))));
        }

        LastCommandIds = ids;
        return SqsEventWriter.Write(records, queueArn, region);
    }
}
