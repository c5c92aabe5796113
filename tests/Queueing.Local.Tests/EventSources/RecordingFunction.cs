using System.Text;
using System.Text.Json;
using Queueing.Contracts.Events;
using Queueing.Contracts.Json;
using Queueing.Emulators.Lambda;

namespace Queueing.Local.Tests.EventSources;

/// <summary>
/// An in-process function for the SQS poller: records every event it gets (parsed with the functions' own JSON
/// contract, plus the raw JSON), tracks how many invocations run at once per FIFO message group, and answers what
/// the test's <c>answer</c> says.
/// </summary>
internal sealed class RecordingFunction
{
    private readonly Func<SqsEvent, CancellationToken, Task<InvocationResult>> _answer;
    private readonly Lock _lock = new();
    private readonly List<ReceivedEvent> _events = [];
    private readonly Dictionary<string, int> _activeByGroup = new(StringComparer.Ordinal);
    private int _maxActivePerGroup;

    public RecordingFunction(Func<SqsEvent, CancellationToken, Task<InvocationResult>> answer) => _answer = answer;

    public RecordingFunction(Func<SqsEvent, InvocationResult> answer)
        : this((e, _) => Task.FromResult(answer(e)))
    {
    }

    /// <summary>Every invocation, in the order they started.</summary>
    public IReadOnlyList<ReceivedEvent> Events
    {
        get { lock (_lock) { return [.. _events]; } }
    }

    /// <summary>The most invocations that ran at once for one message group.</summary>
    public int MaxActivePerGroup
    {
        get { lock (_lock) { return _maxActivePerGroup; } }
    }

    public async Task<InvocationResult> InvokeAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var json = Encoding.UTF8.GetString(payload.Span);
        var sqsEvent = JsonSerializer.Deserialize(payload.Span, SharedJsonContext.Default.SqsEvent)!;
        var groups = sqsEvent.Records.Select(r => r.MessageGroupId).OfType<string>().Distinct().ToList();
        lock (_lock)
        {
            _events.Add(new ReceivedEvent(sqsEvent, json));
            foreach (var group in groups)
            {
                _activeByGroup[group] = _activeByGroup.GetValueOrDefault(group) + 1;
                _maxActivePerGroup = Math.Max(_maxActivePerGroup, _activeByGroup[group]);
            }
        }

        try
        {
            // Yield so that another poller's batch could overlap this one if the poller let it.
            await Task.Delay(20, cancellationToken);
            return await _answer(sqsEvent, cancellationToken);
        }
        finally
        {
            lock (_lock)
            {
                foreach (var group in groups)
                {
                    _activeByGroup[group]--;
                }
            }
        }
    }

    public static InvocationResult Response(string json) =>
        new(Guid.NewGuid().ToString(), InvocationOutcome.Response, Encoding.UTF8.GetBytes(json), null, TimeSpan.FromMilliseconds(1), null, 1);

    public static InvocationResult Failures(IEnumerable<string> messageIds) =>
        Response(JsonSerializer.Serialize(
            new SqsBatchResponse { BatchItemFailures = [.. messageIds.Select(id => new BatchItemFailure { ItemIdentifier = id })] },
            SharedJsonContext.Default.SqsBatchResponse));

    public static InvocationResult FunctionError() =>
        new(
            Guid.NewGuid().ToString(),
            InvocationOutcome.FunctionError,
            """{"errorType":"InvalidOperationException","errorMessage":"boom"}"""u8.ToArray(),
            "InvalidOperationException",
            TimeSpan.FromMilliseconds(1),
            null,
            1);
}

internal sealed record ReceivedEvent(SqsEvent Event, string Json)
{
    public IReadOnlyList<string> Bodies => [.. Event.Records.Select(r => r.Body)];
}
