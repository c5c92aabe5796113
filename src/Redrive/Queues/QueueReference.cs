
namespace Queueing.Redrive.Queues;

internal enum QueueReferenceKind
{
    Name,
    Url,
    Arn,
}

/// <summary>How the operator named a queue: by name, by URL or by ARN (arn:partition:sqs:region:account:name).</summary>
internal sealed record QueueReference(QueueReferenceKind Kind, string Text, string Name, string? AccountId, string? Region)
{
    public static QueueReference Parse(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            throw new UsageException("A queue name, URL or ARN is required.");
        }

        if (trimmed.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) || uri.Segments.Length < 3)
            {
                throw new UsageException($"'{text}' is not a queue URL (expected https://sqs.<region>.amazonaws.com/<account>/<name>).");
            }

            return new QueueReference(QueueReferenceKind.Url, trimmed, uri.Segments[^1].TrimEnd('/'), uri.Segments[^2].TrimEnd('/'), null);
        }

        if (trimmed.StartsWith("arn:", StringComparison.Ordinal))
        {
            var parts = trimmed.Split(':');
            if (parts.Length != 6 || parts[2] != "sqs" || parts[5].Length == 0)
            {
                throw new UsageException($"'{text}' is not an SQS queue ARN (expected arn:aws:sqs:<region>:<account>:<name>).");
            }

            return new QueueReference(QueueReferenceKind.Arn, trimmed, parts[5], parts[4], parts[3]);
        }

        if (trimmed.Contains('/') || trimmed.Contains(':'))
        {
            throw new UsageException($"'{text}' is neither a queue name, a queue URL nor a queue ARN.");
        }

        return new QueueReference(QueueReferenceKind.Name, trimmed, trimmed, null, null);
    }
}
