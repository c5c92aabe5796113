using System.Text;
using Microsoft.Extensions.Time.Testing;
using Queueing.Contracts.Events;
using Queueing.Contracts.Json;
using Queueing.Contracts.Runtime;
using Queueing.Shared.Logging;
using Queueing.Shared.Runtime;

namespace Queueing.Shared.Tests.Runtime;

public sealed class JsonFunctionTests
{
    private static readonly InvocationContext Context = new(
        new Invocation("req-1", DateTimeOffset.UnixEpoch.AddDays(1), "arn", null, null, null, ReadOnlyMemory<byte>.Empty), "f", new FakeTimeProvider(), new JsonLogWriter(Stream.Null));

    [Fact]
    public async Task InvokeAsync_ValidEvent_ReturnsSerialisedResponse()
    {
        var function = new FailEveryRecord();

        var response = await function.InvokeAsync(Encoding.UTF8.GetBytes("""{"Records":[{"messageId":"m1","body":"x"},{"messageId":"m2","body":"y"}]}"""), Context, CancellationToken.None);

        Assert.Equal("""{"batchItemFailures":[{"itemIdentifier":"m1"},{"itemIdentifier":"m2"}]}""", Encoding.UTF8.GetString(response));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"Records":"many"}""")]
    [InlineData("null")]
    public async Task InvokeAsync_UnreadableEvent_ThrowsInvalidEventException(string payload)
    {
        var function = new FailEveryRecord();

        var error = await Assert.ThrowsAsync<InvalidEventException>(() => function.InvokeAsync(Encoding.UTF8.GetBytes(payload), Context, CancellationToken.None));

        Assert.Contains("SqsEvent", error.Message, StringComparison.Ordinal);
    }

    private sealed class FailEveryRecord() : JsonFunction<SqsEvent, SqsBatchResponse>(SharedJsonContext.Default.SqsEvent, SharedJsonContext.Default.SqsBatchResponse)
    {
        public override Task<SqsBatchResponse> HandleAsync(SqsEvent request, InvocationContext context, CancellationToken cancellationToken) =>
            Task.FromResult(new SqsBatchResponse { BatchItemFailures = [.. request.Records.Select(r => new BatchItemFailure { ItemIdentifier = r.MessageId })] });
    }
}
