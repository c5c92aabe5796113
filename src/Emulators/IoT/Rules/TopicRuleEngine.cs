using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Queueing.Emulators.IoT.Broker;
using Queueing.Emulators.IoT.Sql;

namespace Queueing.Emulators.IoT.Rules;

/// <summary>
/// The local IoT rules engine. Rules are parsed when it is built (an unsupported rule stops start-up); each
/// message the broker accepts is evaluated against every enabled rule in the broker's receive path, and the
/// actions of each matching rule run on background workers, as AWS runs them asynchronously from the publisher.
/// A failed action sends AWS's error-action message to the rule's error action. <c>timestamp()</c> is the time the
/// broker accepted the message (its <see cref="TimeProvider"/>).
/// <para>
/// A message on a Basic Ingest topic (<c>$aws/rules/&lt;rule name&gt;/&lt;topic&gt;</c>) is evaluated by the named rule only,
/// against the topic without the prefix and without the rule's FROM filter: AWS makes FROM optional for rules
/// invoked this way and runs them the same otherwise (WHERE, SELECT, actions, error action). A name that is no
/// enabled rule drops the message, counted in <see cref="RulesNotFound"/> (AWS logs an error and counts the
/// <c>RuleNotFound</c> metric).
/// </para>
/// </summary>
public sealed partial class TopicRuleEngine(
    IEnumerable<TopicRuleDefinition> rules,
    IAmazonSQS sqs,
    TopicRuleEngineOptions? options = null,
    ILoggerFactory? loggers = null) : IPublishedMessageSink, IAsyncDisposable
{
    private readonly IReadOnlyList<CompiledRule> _rules = Compile(rules.ToList());
    private readonly IAmazonSQS _sqs = sqs;
    private readonly TopicRuleEngineOptions _options = options ?? new TopicRuleEngineOptions();
    private readonly ILogger _logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger<TopicRuleEngine>();
    private readonly Channel<WorkItem> _work = Channel.CreateUnbounded<WorkItem>(new UnboundedChannelOptions { SingleWriter = false });
    private readonly CancellationTokenSource _abort = new();
    private readonly Lock _pendingLock = new();
    private Task[] _workers = [];
    private int _pending;
    private TaskCompletionSource _idle = CompletedIdle();
    private long _droppedAtShutdown;
    private long _rulesNotFound;
    private bool _disposed;

    /// <summary>The enabled rules, in definition order.</summary>
    public IReadOnlyList<string> RuleNames => _rules.Select(r => r.Definition.Name).ToArray();

    public TopicRuleCounters Counters
    {
        get
        {
            var all = _rules.Select(r => r.Counters.Snapshot()).ToList();
            return new TopicRuleCounters
            {
                MessagesMatched = all.Sum(c => c.MessagesMatched),
                ActionsSucceeded = all.Sum(c => c.ActionsSucceeded),
                ActionsFailed = all.Sum(c => c.ActionsFailed),
                ErrorsRouted = all.Sum(c => c.ErrorsRouted),
                ErrorsUnrouted = all.Sum(c => c.ErrorsUnrouted),
                SqlErrors = all.Sum(c => c.SqlErrors),
                // Counted by the engine: a rule's own counters never have it.
                DroppedAtShutdown = Interlocked.Read(ref _droppedAtShutdown),
            };
        }
    }

    /// <summary>Basic Ingest messages dropped because their topic names no enabled rule (AWS's <c>RuleNotFound</c>).</summary>
    public long RulesNotFound => Interlocked.Read(ref _rulesNotFound);

    public IReadOnlyDictionary<string, TopicRuleCounters> CountersByRule =>
        _rules.ToDictionary(r => r.Definition.Name, r => r.Counters.Snapshot(), StringComparer.Ordinal);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_workers.Length > 0)
        {
            throw new InvalidOperationException("The rules engine is already started.");
        }

        _workers = Enumerable.Range(0, Math.Max(1, _options.MaxConcurrentActions))
            .Select(_ => Task.Run(RunWorkerAsync, CancellationToken.None))
            .ToArray();
        LogStarted(_rules.Count, string.Join(", ", _rules.Select(r => $"{r.Definition.Name} ({r.Statement.TopicFilter})")));
        return Task.CompletedTask;
    }

    /// <summary>Stops taking messages and finishes the actions already queued; cancelling abandons them.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _work.Writer.TryComplete();
        using var registration = cancellationToken.Register(_abort.Cancel);
        await Task.WhenAll(_workers);
        DrainAbandoned();
    }

    /// <summary>Completes when every message accepted so far has had its actions (and error actions) run.</summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken)
    {
        lock (_pendingLock)
        {
            return _idle.Task.WaitAsync(cancellationToken);
        }
    }

    public void Accept(PublishedMessage message)
    {
        if (message.BasicIngest is { } basicIngest)
        {
            AcceptBasicIngest(message, basicIngest);
            return;
        }

        using var sqlMessage = new SqlMessage(message.Topic, message.Payload, message.ClientId, message.ReceivedAt.ToUnixTimeMilliseconds());
        foreach (var rule in _rules)
        {
            Evaluate(rule, sqlMessage, message, matchTopicFilter: true);
        }
    }

    private void AcceptBasicIngest(PublishedMessage message, BasicIngestTopic basicIngest)
    {
        // Disabled rules are not compiled, so a disabled rule is "not found" here, as AWS treats an inactive one.
        var rule = _rules.FirstOrDefault(r => r.Definition.Name == basicIngest.RuleName);
        if (rule is null)
        {
            Interlocked.Increment(ref _rulesNotFound);
            LogRuleNotFound(basicIngest.RuleName, message.Topic);
            return;
        }

        using var sqlMessage = new SqlMessage(basicIngest.RuleTopic, message.Payload, message.ClientId, message.ReceivedAt.ToUnixTimeMilliseconds());
        Evaluate(rule, sqlMessage, message, matchTopicFilter: false);
    }

    private void Evaluate(CompiledRule rule, SqlMessage sqlMessage, PublishedMessage message, bool matchTopicFilter)
    {
        var result = rule.Statement.Evaluate(sqlMessage, matchTopicFilter);
        switch (result.Kind)
        {
            case SqlEvaluationKind.Output:
                Interlocked.Increment(ref rule.Counters.MessagesMatched);
                Enqueue(new WorkItem(rule, message, result.Payload));
                break;
            case SqlEvaluationKind.Error:
                Interlocked.Increment(ref rule.Counters.SqlErrors);
                LogSqlError(rule.Definition.Name, message.Topic, result.Reason!);
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _work.Writer.TryComplete();
        await _abort.CancelAsync();
        await Task.WhenAll(_workers);
        DrainAbandoned();
        _abort.Dispose();
    }

    private void DrainAbandoned()
    {
        while (_work.Reader.TryRead(out var item))
        {
            CountDropped(item);
            Complete();
        }
    }

    private void CountDropped(WorkItem item)
    {
        Interlocked.Increment(ref _droppedAtShutdown);
        LogDroppedAtShutdown(item.Rule.Definition.Name, item.Message.Topic);
    }

    private void Enqueue(WorkItem item)
    {
        lock (_pendingLock)
        {
            if (!_work.Writer.TryWrite(item))
            {
                CountDropped(item);
                return;
            }

            if (_pending++ == 0)
            {
                _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    private void Complete()
    {
        lock (_pendingLock)
        {
            if (--_pending == 0)
            {
                _idle.TrySetResult();
            }
        }
    }

    private async Task RunWorkerAsync()
    {
        try
        {
            await foreach (var item in _work.Reader.ReadAllAsync(_abort.Token))
            {
                try
                {
                    await RunActionsAsync(item);
                }
                catch (OperationCanceledException) when (_abort.IsCancellationRequested)
                {
                    CountDropped(item);
                    throw;
                }
                finally
                {
                    Complete();
                }
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            // Stop was cancelled: queued actions are abandoned on purpose.
        }
    }

    private async Task RunActionsAsync(WorkItem item)
    {
        var rule = item.Rule;
        var failures = new List<ErrorActionFailure>();
        foreach (var action in rule.Definition.Actions)
        {
            var error = await TryRunAsync(action, item.Output, item.Message.Topic);
            if (error is null)
            {
                Interlocked.Increment(ref rule.Counters.ActionsSucceeded);
                continue;
            }

            Interlocked.Increment(ref rule.Counters.ActionsFailed);
            LogActionFailed(rule.Definition.Name, action.ActionName, action.Resource, error);
            failures.Add(new ErrorActionFailure(action.ActionName, action.Resource, error));
        }

        if (failures.Count == 0)
        {
            return;
        }

        if (rule.Definition.ErrorAction is not { } errorAction)
        {
            Interlocked.Increment(ref rule.Counters.ErrorsUnrouted);
            LogErrorUnrouted(rule.Definition.Name, item.Message.Topic, "the rule has no error action");
            return;
        }

        var message = new ErrorActionMessage(
            rule.Definition.Name,
            item.Message.Topic,
            Guid.NewGuid().ToString(),
            item.Message.ClientId ?? SqlMessage.NotMqttClientId,
            Convert.ToBase64String(item.Message.Payload.Span),
            failures);
        var body = JsonSerializer.SerializeToUtf8Bytes(message, RulesJsonContext.Default.ErrorActionMessage);
        var errorActionError = await TryRunAsync(errorAction, body, item.Message.Topic);
        if (errorActionError is null)
        {
            Interlocked.Increment(ref rule.Counters.ErrorsRouted);
            LogErrorRouted(rule.Definition.Name, item.Message.Topic, errorAction.Resource);
        }
        else
        {
            Interlocked.Increment(ref rule.Counters.ErrorsUnrouted);
            LogErrorUnrouted(rule.Definition.Name, item.Message.Topic, $"the error action failed too: {errorActionError}");
        }
    }

    /// <summary>Runs one action; returns null on success or the error text AWS would report.</summary>
    private async Task<string?> TryRunAsync(RuleAction action, ReadOnlyMemory<byte> output, string topic)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
        timeout.CancelAfter(_options.ActionTimeout);
        try
        {
            switch (action)
            {
                case SqsRuleAction sqs:
                    await SendToSqsAsync(sqs, output, timeout.Token);
                    return null;
                default:
                    return $"{action.ActionName} is not emulated locally.";
            }
        }
        catch (AmazonServiceException ex)
        {
            return $"Failed to send message to {TargetOf(action)}. The error received was {ex.Message} (Service: {ServiceOf(action)}; Status Code: {(int)ex.StatusCode}; Error Code: {ex.ErrorCode}; Request ID: {ex.RequestId}). Message arrived on: {topic}, Action: {action.ActionName}, Resource: {action.Resource}";
        }
        catch (OperationCanceledException) when (!_abort.IsCancellationRequested)
        {
            return $"The {action.ActionName} call did not complete within {_options.ActionTimeout.TotalSeconds:0.#} s. Message arrived on: {topic}, Resource: {action.Resource}";
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Any other failure of the call (network, invalid body) is an action failure in AWS's sense: it goes
            // to the error action rather than stopping the engine.
            return $"Failed to send message to {TargetOf(action)}. The error received was {ex.GetType().Name}: {ex.Message}. Message arrived on: {topic}, Resource: {action.Resource}";
        }
    }

    private async Task SendToSqsAsync(SqsRuleAction action, ReadOnlyMemory<byte> output, CancellationToken cancellationToken)
    {
        string body;
        if (action.UseBase64)
        {
            body = Convert.ToBase64String(output.Span);
        }
        else
        {
            try
            {
                body = StrictUtf8.GetString(output.Span);
            }
            catch (DecoderFallbackException)
            {
                throw new InvalidOperationException("The rule output is not UTF-8 text and SQS message bodies are text; set UseBase64 on the SQS action.");
            }
        }

        await _sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = action.QueueUrl, MessageBody = body }, cancellationToken);
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static string TargetOf(RuleAction action) => action switch
    {
        SqsRuleAction => "SQS",
        _ => action.ActionName,
    };

    private static string ServiceOf(RuleAction action) => action switch
    {
        SqsRuleAction => "AmazonSQS",
        _ => action.ActionName,
    };

    private static List<CompiledRule> Compile(IReadOnlyList<TopicRuleDefinition> definitions)
    {
        var problems = new List<string>();
        var rules = new List<CompiledRule>();
        foreach (var duplicate in definitions.GroupBy(d => d.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add($"Topic rule '{duplicate.Key}' is defined {duplicate.Count()} times.");
        }

        foreach (var definition in definitions)
        {
            if (definition.Disabled)
            {
                continue;
            }

            foreach (var action in definition.Actions.Append(definition.ErrorAction).OfType<RuleAction>())
            {
                var problem = action switch
                {
                    SqsRuleAction { QueueUrl: var url } when !Uri.TryCreate(url, UriKind.Absolute, out _) =>
                        $"the SQS action's QueueUrl '{url}' is not an absolute URL",
                    SqsRuleAction => null,
                    _ => $"the action {action.ActionName} is not emulated locally (only Sqs is)",
                };
                if (problem is not null)
                {
                    problems.Add($"Topic rule '{definition.Name}': {problem}.");
                }
            }

            try
            {
                rules.Add(new CompiledRule(definition, IotSqlParser.Parse(definition.Name, definition.Sql, definition.SqlVersion)));
            }
            catch (IotSqlException ex)
            {
                problems.Add(ex.Message);
            }
        }

        if (problems.Count > 0)
        {
            throw new TopicRuleException(problems);
        }

        return rules;
    }

    private static TaskCompletionSource CompletedIdle()
    {
        var idle = new TaskCompletionSource();
        idle.SetResult();
        return idle;
    }

    private sealed record CompiledRule(TopicRuleDefinition Definition, IotSqlStatement Statement)
    {
        public TopicRuleCounters Counters { get; } = new();
    }

    private sealed record WorkItem(CompiledRule Rule, PublishedMessage Message, ReadOnlyMemory<byte> Output);

    [LoggerMessage(Level = LogLevel.Information, Message = "Topic rules engine running {Count} rule(s): {Rules}")]
    private partial void LogStarted(int count, string rules);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rule {Rule} could not evaluate a message on {Topic}: {Reason}")]
    private partial void LogSqlError(string rule, string topic, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rule {Rule}: {Action} on {Resource} failed: {Error}")]
    private partial void LogActionFailed(string rule, string action, string resource, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rule {Rule}: failure for a message on {Topic} sent to the error action {Resource}")]
    private partial void LogErrorRouted(string rule, string topic, string resource);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rule {Rule}: a message on {Topic} is lost because {Reason}")]
    private partial void LogErrorUnrouted(string rule, string topic, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "RuleNotFound: no enabled rule {Rule} for the Basic Ingest message on {Topic}; the message is dropped")]
    private partial void LogRuleNotFound(string rule, string topic);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rule {Rule}: a message on {Topic} was not processed because the rules engine stopped")]
    private partial void LogDroppedAtShutdown(string rule, string topic);
}
