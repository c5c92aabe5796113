using System.Text.Json;
using Queueing.Contracts.DeadLetters;
using Queueing.Contracts.Events;
using Queueing.Contracts.Json;
using Queueing.Ingest.Settings;
using Queueing.Ingest.Tests.Support;
using Queueing.Testing;

namespace Queueing.Ingest.Tests.Events;

/// <summary>The events in <c>events/</c> (for <c>sam local invoke</c> and the local invoke) do what they say.</summary>
public sealed class EventFilesTests : IDisposable
{
    private readonly HandlerHarness _h = new(maxTelemetryBytes: IngestSettings.DefaultMaxTelemetryBytes);

    private static SqsEvent Load(string name)
    {
        var sqsEvent = JsonSerializer.Deserialize(File.ReadAllBytes(RepositoryRoot.File("events", name)), SharedJsonContext.Default.SqsEvent)!;
        Assert.All(sqsEvent.Records, r =>
        {
            Assert.Equal("aws:sqs", r.EventSource);
            Assert.StartsWith("arn:aws:sqs:", r.EventSourceArn, StringComparison.Ordinal);
            Assert.Equal(1, r.ReceiveCount);
            Assert.NotNull(r.SentTime);
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(r.Body))), r.Md5OfBody);
        });
        return sqsEvent;
    }

    [Fact]
    public async Task TelemetryBatch_AllDeliveredInRoundsOfDistinctDevices()
    {
        _h.RejectEventsWith("never");
        var sqsEvent = Load("ingest-telemetry-batch.json");

        var response = await _h.Handler.HandleAsync(sqsEvent, _h.Context(), CancellationToken.None);

        Assert.Empty(response.BatchItemFailures);
        Assert.Empty(_h.Parker.Parked);
        Assert.Equal(sqsEvent.Records.Count, _h.Accepted.Count);
        Assert.Equal(4, _h.Broker.Requests.Count);
        Assert.All(_h.Broker.Requests, r => Assert.Equal(r.Resources.Length, r.Resources.Distinct().Count()));
        Assert.Equal(["lamp-1", "lamp-2", "thermo-1"], _h.Accepted.Select(e => e.GetProperty("resource").GetString()).Distinct().Order());
    }

    [Fact]
    public async Task MixedBatch_MalformedParkedWithReasonsAndTheRestDelivered()
    {
        _h.RejectEventsWith("never");
        var sqsEvent = Load("ingest-mixed-batch.json");

        var response = await _h.Handler.HandleAsync(sqsEvent, _h.Context(), CancellationToken.None);

        Assert.Empty(response.BatchItemFailures);
        var reasons = _h.Parker.Parked.Select(p => (p.Kind, p.Error)).ToList();
        Assert.All(reasons, r => Assert.Equal(DeadLetterKind.Malformed, r.Kind));
        Assert.Collection(
            reasons.Select(r => r.Error),
            e => Assert.StartsWith("body is not valid JSON", e, StringComparison.Ordinal),
            e => Assert.Equal("body is a JSON array; expected an object", e),
            e => Assert.StartsWith("body has no deviceId", e, StringComparison.Ordinal),
            e => Assert.StartsWith("flat format: body has no measurement", e, StringComparison.Ordinal),
            e => Assert.EndsWith("over the 131072-byte limit (MAX_TELEMETRY_BYTES)", e, StringComparison.Ordinal));
        Assert.Equal(["lamp-1", "lamp-2", "thermo-1"], _h.Accepted.Select(e => e.GetProperty("resource").GetString()).Order());
        Assert.DoesNotContain(_h.Broker.Requests, r => r.Body.Contains("someone-else", StringComparison.Ordinal));
        Assert.Contains(_h.Accepted, e => e.GetProperty("timestamp").GetInt64() == 1764288001500);
    }

    public void Dispose() => _h.Dispose();
}
