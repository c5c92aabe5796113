using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Queueing.Contracts.Events;
using Queueing.Contracts.Json;
using Queueing.Emulators.Lambda;
using Queueing.Emulators.Template;
using Queueing.Local.EventSources;

namespace Queueing.Local.Tests.Support;

/// <summary>An in-process function for the HTTP API: records every event it gets and answers as told.</summary>
internal sealed class FakeFunction
{
    private readonly Func<byte[], CancellationToken, Task<InvocationResult>> _answer;
    private readonly ConcurrentQueue<byte[]> _events = new();

    private FakeFunction(Func<byte[], CancellationToken, Task<InvocationResult>> answer) => _answer = answer;

    public IReadOnlyList<byte[]> Events => [.. _events];

    public HttpApiRequest SingleEvent => JsonSerializer.Deserialize(Assert.Single(Events), SharedJsonContext.Default.HttpApiRequest)!;

    /// <summary>Returns the event it got: valid JSON without statusCode, so the client receives the event.</summary>
    public static FakeFunction Echo() => new((payload, _) => Task.FromResult(Result(InvocationOutcome.Response, payload)));

    public static FakeFunction Returning(string response) =>
        new((_, _) => Task.FromResult(Result(InvocationOutcome.Response, Encoding.UTF8.GetBytes(response))));

    public static FakeFunction Failing(InvocationOutcome outcome) =>
        new((_, _) => Task.FromResult(Result(outcome, """{"errorType":"X","errorMessage":"failed"}"""u8.ToArray(), "X")));

    public static FakeFunction Throwing() => new((_, _) => throw new InvalidOperationException("invoker broke"));

    /// <summary>Answers only when <paramref name="release"/> completes; <paramref name="started"/> says it was called.</summary>
    public static FakeFunction Waiting(TaskCompletionSource started, Task release) => new(async (_, cancellationToken) =>
    {
        started.TrySetResult();
        await release.WaitAsync(cancellationToken);
        return Result(InvocationOutcome.Response, """{"statusCode":200}"""u8.ToArray());
    });

    public Task<InvocationResult> InvokeAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        _events.Enqueue(payload.ToArray());
        return _answer(payload.ToArray(), cancellationToken);
    }

    public HttpApiRoute Route(string method, string path, int? timeoutInMillis = null, string logicalId = "Fn") =>
        new(logicalId, new HttpApiEventSource($"{method}{path}", "Api", path, method, "2.0", timeoutInMillis), InvokeAsync);

    public HttpApiRoute DefaultRoute(string logicalId = "Fn") =>
        new(logicalId, new HttpApiEventSource("Default", "Api", HttpApiEventSource.DefaultRoute, "ANY", "2.0", null), InvokeAsync);

    private static InvocationResult Result(InvocationOutcome outcome, byte[] payload, string? errorType = null) =>
        new(Guid.NewGuid().ToString(), outcome, payload, errorType, TimeSpan.FromMilliseconds(1), null, 1);
}
