using System.Collections;

namespace Queueing.Contracts.Settings;

/// <summary>A snapshot of the process environment: the one place that reads it.</summary>
public static class ProcessEnvironment
{
    public static IReadOnlyDictionary<string, string> Read()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && entry.Value is string value)
            {
                result[key] = value;
            }
        }

        return result;
    }
}
