using System.Text.Json;
using Queueing.Contracts.Events;
using Queueing.Contracts.Json;
using Queueing.Ingest.Telemetry;
using Queueing.Shared.Runtime;

namespace Queueing.Ingest.Tests.Support;

/// <summary>
/// Events the tests write with the model types (<see cref="SqsEvent"/>, <see cref="SqsMessage"/>), handed to the
/// function the only way it reads them: as the JSON bytes the Runtime API delivers, through the lean reader.
/// </summary>
internal static class WrittenEvents
{
    public static byte[] Bytes(SqsEvent sqsEvent) => JsonSerializer.SerializeToUtf8Bytes(sqsEvent, SharedJsonContext.Default.SqsEvent);

    /// <summary>The record as the function sees it. The batch is left to the collector (its buffers are not
    /// returned to the pools), so the record stays valid for the whole test.</summary>
    public static SqsRecord Read(SqsMessage message) => SqsEventReader.Read(Bytes(TestRecords.Event(message)))[0];

    public static TelemetryParseResult Parse(this TelemetryParser parser, SqsMessage record, int index) => parser.Parse(Read(record), index);

    /// <summary>The event as bytes through the handler, as the runtime loop runs it (the context flushes the
    /// invocation's metrics after it); its response bytes read back with the model type.</summary>
    public static async Task<SqsBatchResponse> HandleAsync(this IngestFunction handler, SqsEvent sqsEvent, InvocationContext context, CancellationToken cancellationToken)
    {
        var response = await context.InvokeAsync(handler, Bytes(sqsEvent), cancellationToken);
        return JsonSerializer.Deserialize(response, SharedJsonContext.Default.SqsBatchResponse)!;
    }
}
