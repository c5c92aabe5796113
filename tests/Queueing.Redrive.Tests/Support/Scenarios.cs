using Amazon.SQS;
using Amazon.SQS.Model;
using Queueing.Contracts.DeadLetters;

namespace Queueing.Redrive.Tests.Support;

/// <summary>
/// Dead-letter queues filled the real ways, with bodies a test can name. Every scenario uses its own stack
/// prefix, so tests sharing one moto do not see each other's queues.
/// </summary>
internal sealed record Scenario(QueuePair Queues, IReadOnlyDictionary<string, string> Bodies)
{
    public string Body(string name) => Bodies[name];

    public IEnumerable<string> BodiesOf(params string[] names) => names.Select(Body);

    public static string NewStack() => "t" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>
    /// An IngestDLQ: telemetry of lamp-1 and lamp-2 moved by the redrive policy (kind unknown), and one message
    /// each parked as malformed (no device), rejected (lamp-1), exhausted (lamp-2, 503) and exhausted (lamp-3, timeout).
    /// </summary>
    public static async Task<Scenario> IngestAsync(IAmazonSQS sqs, string? stack = null)
    {
        var pair = await QueuePair.CreateAsync(sqs, stack ?? NewStack(), fifo: false);
        var filler = new DeadLetterFiller(sqs, pair);
        var bodies = new Dictionary<string, string>
        {
            ["policy-lamp-1"] = TestMessage.Telemetry("lamp-1", 101).Body,
            ["policy-lamp-2"] = TestMessage.Telemetry("lamp-2", 102).Body,
            ["malformed"] = "not json { 103",
            ["rejected-lamp-1"] = TestMessage.Telemetry("lamp-1", 104).Body,
            ["exhausted-lamp-2"] = TestMessage.Telemetry("lamp-2", 105).Body,
            ["exhausted-lamp-3"] = TestMessage.Telemetry("lamp-3", 106).Body,
        };
        await filler.ThroughRedrivePolicyAsync(TestMessage.Telemetry("lamp-1", 101), TestMessage.Telemetry("lamp-2", 102));
        await filler.ThroughParkerAsync(DeadLetterKind.Malformed, "body is not a JSON object", TestMessage.Raw("not json { 103", 103));
        await filler.ThroughParkerAsync(DeadLetterKind.Rejected, "Waylay answered 400: resource lamp-1 is unknown", TestMessage.Telemetry("lamp-1", 104));
        await filler.ThroughParkerAsync(DeadLetterKind.Exhausted, "Waylay answered 503 Service Unavailable", TestMessage.Telemetry("lamp-2", 105));
        await filler.ThroughParkerAsync(DeadLetterKind.Exhausted, "Waylay did not answer within 5000 ms", TestMessage.Telemetry("lamp-3", 106));
        return new Scenario(pair, bodies);
    }

    /// <summary>
    /// A CommandDLQ.fifo: lamp-1's c1, c2 parked as expired, lamp-2's c3, c4 parked as rejected, lamp-3's c5, c6
    /// moved by the redrive policy. Group = device, as the command API sends them.
    /// </summary>
    public static async Task<Scenario> CommandsAsync(IAmazonSQS sqs, string? stack = null)
    {
        var pair = await QueuePair.CreateAsync(sqs, stack ?? NewStack(), fifo: true);
        var filler = new DeadLetterFiller(sqs, pair);
        var bodies = new Dictionary<string, string>();
        TestMessage Command(string id, string device, int seed)
        {
            var message = CommandMessage(id, device, seed);
            bodies[id] = message.Body;
            return message;
        }

        await filler.ThroughParkerAsync(DeadLetterKind.Expired, "expired at 2026-11-27T08:00:30Z before it could be published", Command("c1", "lamp-1", 1), Command("c2", "lamp-1", 2));
        await filler.ThroughParkerAsync(DeadLetterKind.Rejected, "IoT Data answered 403 Forbidden", Command("c3", "lamp-2", 3), Command("c4", "lamp-2", 4));
        await filler.ThroughRedrivePolicyAsync(Command("c5", "lamp-3", 5), Command("c6", "lamp-3", 6));
        return new Scenario(pair, bodies);
    }

    public static TestMessage CommandMessage(string id, string device, int seed)
    {
        var body = $"{{\"commandId\":\"{id}\",\"deviceId\":\"{device}\",\"topic\":\"devices/{device}/commands\",\"qos\":1,\"payload\":{{\"on\":true}},\"acceptedAt\":\"2026-11-27T08:00:00Z\",\"expiresAt\":\"2026-11-27T08:00:30Z\"}}";
        var attributes = TestMessage.WithTrace(seed);
        attributes["Queueing.CommandId"] = new MessageAttributeValue { DataType = "String", StringValue = id };
        attributes["Queueing.AcceptedAt"] = new MessageAttributeValue { DataType = "String", StringValue = "2026-11-27T08:00:00Z" };
        return new TestMessage(body, attributes, device);
    }
}
