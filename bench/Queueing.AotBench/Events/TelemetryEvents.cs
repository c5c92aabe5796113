using System.Globalization;
using System.Security.Cryptography;

namespace Queueing.AotBench.Events;

/// <summary>
/// An <c>IngestQueue</c> batch: bodies as the template's TelemetryRule writes them (the device's JSON object, then
/// <c>deviceId</c> from the topic and <c>receivedAt</c>, from <c>SELECT *, topic(2) AS deviceId, timestamp() AS
/// receivedAt</c>), readings of <c>devices</c> devices interleaved in time, the attributes SQS gives a message the
/// rule sent (an X-Ray trace header on every tenth, as when the sender is traced).
/// </summary>
internal static class TelemetryEvents
{
    private const string SenderId = "AROAZ3EXAMPLEIOTRULE:queueing-TelemetryRule";

    public static byte[] Create(int records, int devices, string queueArn, string region, DateTimeOffset now)
    {
        var start = now.ToUnixTimeMilliseconds() - records * 37L;
        var batch = new List<SqsRecord>(records);
        for (var i = 0; i < records; i++)
        {
            var device = "lamp-" + (i % devices).ToString("D4", CultureInfo.InvariantCulture);
            var timestamp = start + i * 37L;
            var received = timestamp + 120;
            var body = string.Create(CultureInfo.InvariantCulture,
                $"{{\"lightValue\":{i % 1024},\"temperature\":{20 + i % 70 / 10.0:0.0},\"state\":\"on\",\"timestamp\":{timestamp},\"deviceId\":\"{device}\",\"receivedAt\":{received}}}");
            var attributes = new List<KeyValuePair<string, string>>
            {
                new("ApproximateReceiveCount", "1"),
                new("SentTimestamp", Millis(received + 30)),
                new("SenderId", SenderId),
                new("ApproximateFirstReceiveTimestamp", Millis(received + 250)),
            };
            if (i % 10 == 0)
            {
                attributes.Add(new("AWSTraceHeader", $"Root=1-{(received / 1000):x8}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))};Parent={Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))};Sampled=0"));
            }

            batch.Add(new SqsRecord(body, attributes, [], null));
        }

        return SqsEventWriter.Write(batch, queueArn, region);
    }

    private static string Millis(long value) => value.ToString(CultureInfo.InvariantCulture);
}
