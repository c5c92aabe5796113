using Queueing.Shared.Logging;
using Queueing.Shared.Runtime;

namespace Queueing.Actuate.Tests.Support;

internal static class Invocations
{
    /// <summary>An invocation with <paramref name="remaining"/> left before its deadline, on <paramref name="time"/>'s clock;
    /// its EMF lines go to <paramref name="output"/> (nowhere by default); <paramref name="traceId"/> is its
    /// <c>Lambda-Runtime-Trace-Id</c>.</summary>
    public static InvocationContext Context(TimeProvider time, TimeSpan? remaining = null, JsonLogWriter? output = null, string? traceId = null) =>
        new(new Invocation(
                "req-" + Guid.NewGuid().ToString("N")[..8],
                time.GetUtcNow() + (remaining ?? TimeSpan.FromMinutes(5)),
                "arn:aws:lambda:us-east-1:123456789012:function:test",
                traceId,
                null,
                null,
                ReadOnlyMemory<byte>.Empty),
            "test-function",
            time,
            output ?? new JsonLogWriter(Stream.Null));
}
