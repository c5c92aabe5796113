using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Queueing.Contracts.Events;
using Queueing.Contracts.Sqs;
using Queueing.Redrive.Sending;

namespace Queueing.Redrive.Commands.Import;

/// <summary>
/// Reads an export file (JSON lines of <see cref="ExportedMessage"/>) into messages to send. Every problem in the
/// file is reported together before anything is sent.
/// </summary>
internal static class ImportFile
{
    public static async Task<IReadOnlyList<OutgoingMessage>> ReadAsync(string path, SqsQueue target, CancellationToken cancellationToken)
    {
        string[] lines;
        try
        {
            lines = await File.ReadAllLinesAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"Cannot read '{path}': {ex.Message}");
        }

        var messages = new List<OutgoingMessage>();
        var problems = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                continue;
            }

            var lineNumber = i + 1;
            ExportedMessage? exported;
            try
            {
                exported = JsonSerializer.Deserialize(lines[i], DlqJsonContext.Default.ExportedMessage);
            }
            catch (JsonException ex)
            {
                problems.Add($"line {lineNumber}: not an exported message ({ex.Message})");
                continue;
            }

            if (exported?.Body is null)
            {
                problems.Add($"line {lineNumber}: no body");
                continue;
            }

            var key = string.IsNullOrEmpty(exported.MessageId) ? $"line {lineNumber}" : exported.MessageId;
            string? group = null;
            string? deduplicationId = null;
            if (target.IsFifo)
            {
                group = exported.Attributes.GetValueOrDefault("MessageGroupId") ?? DeadLetterReader.DeviceIdOf(exported.Body);
                if (group is null)
                {
                    problems.Add($"line {lineNumber}: {target.Name} is FIFO but the message has no MessageGroupId attribute and no deviceId in its body");
                    continue;
                }

                deduplicationId = DeduplicationId(exported);
            }

            var attributes = exported.MessageAttributes.ToDictionary(a => a.Key, a => SqsMessageAttributes.ToSdk(a.Value), StringComparer.Ordinal);
            messages.Add(new OutgoingMessage(key, exported.Body, attributes, group, deduplicationId, exported.Attributes.GetValueOrDefault(SqsAttributeNames.AwsTraceHeader)));
        }

        if (problems.Count > 0)
        {
            throw new UsageException($"{path} has {problems.Count} problem(s); nothing was sent: {string.Join("; ", problems)}");
        }

        return messages;
    }

    // Same message id and same body: the same import (a re-run within SQS's 5-minute window is dropped as a
    // repeat); an edited body is a new message.
    private static string DeduplicationId(ExportedMessage exported)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(exported.MessageId + "\n" + exported.Body));
        return "import-" + Convert.ToHexStringLower(hash)[..48];
    }
}
