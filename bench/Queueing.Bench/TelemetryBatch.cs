using System.Globalization;
using Queueing.Contracts.Events;

namespace Queueing.Bench;

/// <summary>A realistic SQS batch from the telemetry rule: <c>devices</c> devices, readings interleaved in time.</summary>
internal static class TelemetryBatch
{
    public static List<SqsMessage> Create(int records, int devices)
    {
        var batch = new List<SqsMessage>(records);
        const long start = 1_764_288_000_000;
        for (var i = 0; i < records; i++)
        {
            var device = "lamp-" + (i % devices).ToString("D4", CultureInfo.InvariantCulture);
            var timestamp = start + i * 37L;
            var body = string.Create(CultureInfo.InvariantCulture,
                $"{{\"lightValue\":{i % 1024},\"temperature\":{20 + i % 70 / 10.0:0.0},\"state\":\"on\",\"timestamp\":{timestamp},\"deviceId\":\"{device}\",\"receivedAt\":{timestamp + 120}}}");
            batch.Add(new SqsMessage
            {
                MessageId = Guid.NewGuid().ToString(),
                ReceiptHandle = "AQEB" + i.ToString(CultureInfo.InvariantCulture),
                Body = body,
                EventSource = "aws:sqs",
                EventSourceArn = "arn:aws:sqs:us-east-1:123456789012:IngestQueue",
                AwsRegion = "us-east-1",
                Attributes = new Dictionary<string, string>
                {
                    ["ApproximateReceiveCount"] = "1",
                    ["SentTimestamp"] = (timestamp + 150).ToString(CultureInfo.InvariantCulture),
                    ["SenderId"] = "AROAEXAMPLE:IoTRule",
                    ["ApproximateFirstReceiveTimestamp"] = (timestamp + 200).ToString(CultureInfo.InvariantCulture),
                },
            });
        }

        return batch;
    }
}
