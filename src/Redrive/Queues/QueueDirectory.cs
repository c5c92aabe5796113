using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace Queueing.Redrive.Queues;

/// <summary>
/// Finds queues by name, URL or ARN, and a dead-letter queue's source queues. Caches what it resolved. When a short
/// name is matched to a stack-prefixed queue, it says which queue through <paramref name="note"/> (the operator
/// must know what a command acts on).
/// </summary>
internal sealed class QueueDirectory(IAmazonSQS sqs, ConnectionOptions connection, Action<string>? note = null)
{
    private readonly Dictionary<string, SqsQueue> _byArn = new(StringComparer.Ordinal);
    private IReadOnlyList<string>? _allUrls;

    public async Task<SqsQueue> ResolveAsync(string text, CancellationToken cancellationToken)
    {
        var reference = QueueReference.Parse(text);
        switch (reference.Kind)
        {
            case QueueReferenceKind.Url:
                return await LoadAsync(reference.Text, cancellationToken)
                    ?? throw new UsageException($"Queue '{reference.Text}' does not exist ({connection.Describe()}).");
            case QueueReferenceKind.Arn:
                if (connection.Region is not null && connection.EndpointUrl is null && !string.Equals(reference.Region, connection.Region, StringComparison.Ordinal))
                {
                    throw new UsageException($"Queue ARN '{reference.Text}' is in region {reference.Region}, but --region is {connection.Region}.");
                }

                return await ByArnAsync(reference.Text, cancellationToken)
                    ?? throw new UsageException($"Queue '{reference.Text}' does not exist ({connection.Describe()}).");
            default:
                return await ByNameAsync(reference.Name, cancellationToken);
        }
    }

    /// <summary>The queue an ARN names, or null when it does not exist.</summary>
    public async Task<SqsQueue?> ByArnAsync(string arn, CancellationToken cancellationToken)
    {
        if (_byArn.TryGetValue(arn, out var cached))
        {
            return cached;
        }

        var reference = QueueReference.Parse(arn);
        var url = await UrlOfAsync(reference.Name, reference.AccountId, cancellationToken);
        return url is null ? null : await LoadAsync(url, cancellationToken);
    }

    /// <summary>The queues whose redrive policy names <paramref name="deadLetterQueue"/> (ListDeadLetterSourceQueues).</summary>
    public async Task<IReadOnlyList<SqsQueue>> SourcesOfAsync(SqsQueue deadLetterQueue, CancellationToken cancellationToken)
    {
        var sources = new List<SqsQueue>();
        string? next = null;
        do
        {
            var page = await sqs.ListDeadLetterSourceQueuesAsync(
                new ListDeadLetterSourceQueuesRequest { QueueUrl = deadLetterQueue.Url, MaxResults = 1000, NextToken = next }, cancellationToken);
            foreach (var url in page.QueueUrls ?? [])
            {
                if (await LoadAsync(url, cancellationToken) is { } source)
                {
                    sources.Add(source);
                }
            }

            next = page.NextToken;
        }
        while (!string.IsNullOrEmpty(next));

        return sources;
    }

    /// <summary>Resolves a queue that must be a dead-letter queue; <paramref name="anyQueue"/> lifts that check.</summary>
    public async Task<(SqsQueue Queue, IReadOnlyList<SqsQueue> Sources)> ResolveDeadLetterQueueAsync(string text, bool anyQueue, CancellationToken cancellationToken)
    {
        var queue = await ResolveAsync(text, cancellationToken);
        var sources = await SourcesOfAsync(queue, cancellationToken);
        if (sources.Count == 0 && !anyQueue)
        {
            throw new UsageException(
                $"'{queue.Name}' is not a dead-letter queue: no queue names it in its redrive policy (ListDeadLetterSourceQueues is empty). " +
                "To work on it anyway (e.g. an IoT rule's error-action queue such as TelemetryRuleErrors), add --any-queue.");
        }

        return (queue, sources);
    }

    /// <summary>Every queue URL visible to the caller (ListQueues, all pages).</summary>
    public async Task<IReadOnlyList<string>> AllQueueUrlsAsync(CancellationToken cancellationToken)
    {
        if (_allUrls is not null)
        {
            return _allUrls;
        }

        var urls = new List<string>();
        string? next = null;
        do
        {
            // Without MaxResults SQS returns at most 1000 URLs and no NextToken.
            var page = await sqs.ListQueuesAsync(new ListQueuesRequest { MaxResults = 1000, NextToken = next }, cancellationToken);
            urls.AddRange(page.QueueUrls ?? []);
            next = page.NextToken;
        }
        while (!string.IsNullOrEmpty(next));

        _allUrls = urls;
        return urls;
    }

    /// <summary>Reads a queue's attributes; null when the queue does not exist.</summary>
    public async Task<SqsQueue?> LoadAsync(string url, CancellationToken cancellationToken)
    {
        GetQueueAttributesResponse response;
        try
        {
            response = await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = url, AttributeNames = ["All"] }, cancellationToken);
        }
        catch (AmazonServiceException ex) when (AwsErrors.IsQueueMissing(ex))
        {
            return null;
        }

        var queue = new SqsQueue(url, response.Attributes ?? []);
        if (queue.Arn.Length > 0)
        {
            _byArn[queue.Arn] = queue;
        }

        return queue;
    }

    /// <summary>Re-reads a queue's counters (depth, in flight).</summary>
    public async Task<SqsQueue> RefreshAsync(SqsQueue queue, CancellationToken cancellationToken) =>
        await LoadAsync(queue.Url, cancellationToken) ?? queue;

    private async Task<SqsQueue> ByNameAsync(string name, CancellationToken cancellationToken)
    {
        if (await UrlOfAsync(name, null, cancellationToken) is { } url && await LoadAsync(url, cancellationToken) is { } exact)
        {
            return exact;
        }

        // The template names queues "<stack>-IngestDLQ", "<stack>-CommandDLQ.fifo": let the operator type the
        // logical name and accept it when exactly one queue ends with it.
        var wanted = StripFifo(name);
        var candidates = new List<string>();
        foreach (var candidateUrl in await AllQueueUrlsAsync(cancellationToken))
        {
            var candidate = StripFifo(candidateUrl[(candidateUrl.TrimEnd('/').LastIndexOf('/') + 1)..]);
            if (candidate.EndsWith("-" + wanted, StringComparison.Ordinal) || candidate.EndsWith("_" + wanted, StringComparison.Ordinal))
            {
                candidates.Add(candidateUrl);
            }
        }

        if (candidates.Count == 1 && await LoadAsync(candidates[0], cancellationToken) is { } suffixed)
        {
            note?.Invoke($"'{name}' is queue {suffixed.Name}.");
            return suffixed;
        }

        if (candidates.Count > 1)
        {
            throw new UsageException($"'{name}' matches several queues ({string.Join(", ", candidates.Select(u => u[(u.LastIndexOf('/') + 1)..]))}); name one exactly.");
        }

        throw new UsageException($"Queue '{name}' does not exist ({connection.Describe()}).");
    }

    private async Task<string?> UrlOfAsync(string name, string? accountId, CancellationToken cancellationToken)
    {
        try
        {
            var response = await sqs.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = name, QueueOwnerAWSAccountId = accountId }, cancellationToken);
            return response.QueueUrl;
        }
        catch (AmazonServiceException ex) when (AwsErrors.IsQueueMissing(ex))
        {
            return null;
        }
    }

    private static string StripFifo(string name) => name.EndsWith(".fifo", StringComparison.Ordinal) ? name[..^5] : name;
}
