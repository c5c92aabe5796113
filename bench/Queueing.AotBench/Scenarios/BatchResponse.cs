using System.Text.Json;

namespace Queueing.AotBench.Scenarios;

/// <summary>Reads an SQS function's partial-batch response (<c>{"batchItemFailures":[...]}</c>).</summary>
internal static class BatchResponse
{
    /// <summary>Null when the response reports no failed item; else what it says.</summary>
    public static string? Problem(byte[] response)
    {
        try
        {
            using var document = JsonDocument.Parse(response);
            if (!document.RootElement.TryGetProperty("batchItemFailures", out var failures) || failures.ValueKind != JsonValueKind.Array)
            {
                return $"The response has no batchItemFailures array: {Text(response)}";
            }

            return failures.GetArrayLength() == 0 ? null : $"{failures.GetArrayLength()} batch item failures: {Text(response)}";
        }
        catch (JsonException ex)
        {
            return $"The response is not JSON ({ex.Message}): {Text(response)}";
        }
    }

    private static string Text(byte[] response) =>
        System.Text.Encoding.UTF8.GetString(response.AsSpan(0, Math.Min(response.Length, 500)));
}
