using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Queueing.Emulators.Waylay.Broker;

namespace Queueing.Emulators.Waylay.Rules;

/// <summary>
/// The sandbox's rule engine: takes the events the broker forwards and runs every template as a reactive task per
/// resource (created on the resource's first event), awaiting each actuator call before the resource's next
/// event so that commands leave in event order. <see cref="Forward"/> never blocks the broker.
/// </summary>
internal sealed partial class RuleEngine : IRuleEngineInbox, IAsyncDisposable
{
    private readonly IReadOnlyList<TaskTemplate> _templates;
    private readonly IActuator _actuator;
    private readonly RuleEngineOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<BrokerEvent>[] _partitions;
    private readonly Task[] _loops;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<(string Template, string Resource), ReactiveTask> _tasks = new();
    private readonly Lock _idleGate = new();
    private long _pending;
    private bool _disposed;
    private TaskCompletionSource _idle = CompletedSource();

    public RuleEngine(IReadOnlyList<TaskTemplate> templates, IActuator actuator, RuleEngineOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Partitions, 1);
        _templates = templates;
        _actuator = actuator;
        _options = options;
        _logger = options.Loggers.CreateLogger(typeof(RuleEngine).Namespace!);
        _partitions = Enumerable.Range(0, options.Partitions)
            .Select(_ => Channel.CreateUnbounded<BrokerEvent>(new UnboundedChannelOptions { SingleReader = true }))
            .ToArray();
        _loops = _partitions.Select(p => Task.Run(() => RunAsync(p.Reader))).ToArray();
    }

    public IReadOnlyList<TaskTemplate> Templates => _templates;

    public RuleEngineCounters Counters { get; } = new();

    /// <summary>The task of a template for a resource, if the resource has had an event.</summary>
    public ReactiveTask? TaskFor(string template, string resource) => _tasks.GetValueOrDefault((template, resource));

    public void Forward(BrokerEvent message)
    {
        lock (_idleGate)
        {
            if (_pending++ == 0)
            {
                _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        var partition = _partitions[(int)((uint)StringComparer.Ordinal.GetHashCode(message.Resource) % (uint)_partitions.Length)];
        if (!partition.Writer.TryWrite(message))
        {
            LogDroppedAfterStop(message.Resource, message.Timestamp);
            Done();
        }
    }

    /// <summary>Completes when every event forwarded so far has been evaluated and its actuators have answered.</summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken = default)
    {
        lock (_idleGate)
        {
            return _idle.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Stops taking events and finishes the queued ones; <paramref name="cancellationToken"/> abandons them.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        foreach (var partition in _partitions)
        {
            partition.Writer.TryComplete();
        }

        using var abandon = cancellationToken.Register(_stopping.Cancel);
        await Task.WhenAll(_loops);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stopping.CancelAsync();
        await StopAsync();
        _stopping.Dispose();
    }

    private async Task RunAsync(ChannelReader<BrokerEvent> reader)
    {
        try
        {
            await foreach (var message in reader.ReadAllAsync(_stopping.Token))
            {
                try
                {
                    await EvaluateAsync(message);
                }
                finally
                {
                    Done();
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopped without draining: what is still queued is abandoned on purpose (Ctrl+C).
        }
    }

    private async Task EvaluateAsync(BrokerEvent message)
    {
        var now = _options.Time.GetUtcNow();
        Counters.EventEvaluated();
        foreach (var template in _templates)
        {
            var task = _tasks.GetOrAdd((template.Name, message.Resource), key =>
            {
                Counters.TaskCreated();
                LogTaskCreated(key.Template, key.Resource);
                return new ReactiveTask(template, key.Resource);
            });

            var evaluation = task.Evaluate(message, now);
            // The state this event brought: none when no sensor of this template could read the event (a status
            // event for the light rule, telemetry for the acknowledgement watch), so one template does not show
            // another's state as the resource's last.
            var state = evaluation.SensorsExecuted > 0
                ? template.Sensors.Select(s => task.StateOf(s.Label, now)).FirstOrDefault(s => s is not null)
                : null;
            Counters.Evaluated(message.Resource, evaluation, state, message.Timestamp);
            foreach (var actuation in evaluation.Actuations)
            {
                Counters.Fired(actuation);
                var answer = await InvokeAsync(actuation);
                Counters.Answered(actuation, answer);
            }
        }
    }

    private async Task<ActuatorAnswer> InvokeAsync(Actuation actuation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(actuation.Actuator.Timeout);
        try
        {
            var answer = await _actuator.InvokeAsync(actuation, timeout.Token);
            if (!answer.Succeeded)
            {
                LogActuationFailed(actuation.Actuator.Label, actuation.Resource, answer.Outcome, answer.Error ?? answer.Body);
            }

            return answer;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !_stopping.IsCancellationRequested)
        {
            var answer = ActuatorAnswer.Failed($"no answer within the actuator timeout ({actuation.Actuator.Timeout.TotalSeconds:0} s)");
            LogActuationFailed(actuation.Actuator.Label, actuation.Resource, answer.Outcome, answer.Error!);
            return answer;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Boundary: an actuator failing must not stop the task's loop (Waylay logs it and goes on).
            LogActuationFailed(actuation.Actuator.Label, actuation.Resource, "error", ex.Message);
            return ActuatorAnswer.Failed(ex.Message);
        }
    }

    private void Done()
    {
        lock (_idleGate)
        {
            if (--_pending == 0)
            {
                _idle.TrySetResult();
            }
        }
    }

    private static TaskCompletionSource CompletedSource()
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        source.SetResult();
        return source;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Waylay sandbox: reactive task of template {Template} created for resource {Resource}")]
    private partial void LogTaskCreated(string template, string resource);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waylay sandbox: actuator {Actuator} for {Resource} answered {Outcome}: {Detail}")]
    private partial void LogActuationFailed(string actuator, string resource, string outcome, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waylay sandbox: event of {Resource} at {Timestamp} arrived after the rule engine stopped and was not evaluated")]
    private partial void LogDroppedAfterStop(string resource, long timestamp);
}
