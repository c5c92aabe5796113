namespace Queueing.Local.Cli;

/// <summary>
/// <c>Key=Value</c> arguments (<c>--parameter-overrides</c>, <c>--header</c>). Parameter overrides also accept SAM's
/// long form <c>ParameterKey=Key,ParameterValue=Value</c>.
/// </summary>
internal static class KeyValueArguments
{
    public static Dictionary<string, string> Parse(IEnumerable<string> items, string option)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            const string longKey = "ParameterKey=", longValue = ",ParameterValue=";
            string key, value;
            var longForm = item.IndexOf(longValue, StringComparison.Ordinal);
            if (item.StartsWith(longKey, StringComparison.Ordinal) && longForm > 0)
            {
                key = item[longKey.Length..longForm];
                value = item[(longForm + longValue.Length)..];
            }
            else
            {
                var equals = item.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    throw new UsageException($"{option} takes Key=Value, got '{item}'.");
                }

                key = item[..equals];
                value = item[(equals + 1)..];
            }

            result[key.Trim()] = value;
        }

        return result;
    }
}
