using System.Text.Json;
using Queueing.Actuate.Publisher;
using Queueing.Contracts.Events;
using Queueing.Contracts.Json;
using Queueing.Shared.Runtime;

namespace Queueing.Actuate.Tests.Support;

/// <summary>
/// Events the tests write with the model types (<see cref="SqsEvent"/>), handed to the publisher the only way it reads
/// them: as the JSON bytes the Runtime API delivers; its response bytes are read back with the model type.
/// </summary>
internal static class WrittenEvents
{
    public static async Task<SqsBatchResponse> HandleAsync(this CommandPublisherFunction function, SqsEvent sqsEvent, InvocationContext context, CancellationToken cancellationToken)
    {
        // As the runtime loop does: the context runs the function and flushes the invocation's metrics after it.
        var response = await context.InvokeAsync(function, JsonSerializer.SerializeToUtf8Bytes(sqsEvent, SharedJsonContext.Default.SqsEvent), cancellationToken);
        return JsonSerializer.Deserialize(response, SharedJsonContext.Default.SqsBatchResponse)!;
    }
}
