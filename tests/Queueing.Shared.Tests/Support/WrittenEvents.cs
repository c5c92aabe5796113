using System.Text.Json;
using Queueing.Contracts.Events;
using Queueing.Contracts.Json;

namespace Queueing.Shared.Tests.Support;

/// <summary>Events written with the model types, read the way the functions read them: as JSON bytes, by the lean reader.</summary>
internal static class WrittenEvents
{
    public static byte[] Bytes(params SqsMessage[] records) =>
        JsonSerializer.SerializeToUtf8Bytes(new SqsEvent { Records = [.. records] }, SharedJsonContext.Default.SqsEvent);

    /// <summary>The record as a function sees it. The batch is left to the collector (its buffers are not returned to
    /// the pools), so the record stays valid for the whole test.</summary>
    public static SqsRecord Read(SqsMessage record) => SqsEventReader.Read(Bytes(record))[0];
}
