namespace Queueing.Emulators.IoT;

/// <summary>
/// A Basic Ingest topic, <c>$aws/rules/&lt;rule name&gt;/&lt;topic&gt;</c> (AWS IoT developer guide, "Reducing messaging
/// costs with Basic Ingest"): the message goes to the named rule only, never through the message broker to
/// subscribers or other rules, and the rule sees <see cref="RuleTopic"/>, the topic without the prefix, so
/// <c>topic(n)</c> does not count <c>$aws/rules/&lt;rule name&gt;</c>. The prefix does not count toward the topic's
/// 256-byte and 8-level limits either.
/// </summary>
internal sealed record BasicIngestTopic(string RuleName, string RuleTopic)
{
    public const string Prefix = "$aws/rules/";

    /// <summary>Whether <paramref name="topic"/> starts with <see cref="Prefix"/>, i.e. is reserved for Basic Ingest.</summary>
    public static bool IsBasicIngest(string topic) =>
        topic.StartsWith(Prefix, StringComparison.Ordinal) || topic == Prefix.TrimEnd('/');

    /// <summary>The rule name and the topic the rule sees, or null when <paramref name="topic"/> is no Basic Ingest topic.</summary>
    public static BasicIngestTopic? Parse(string topic)
    {
        if (!IsBasicIngest(topic))
        {
            return null;
        }

        // "$aws/rules" and "$aws/rules/" name no rule: an empty name, which no rule has.
        var rest = topic.Length > Prefix.Length ? topic[Prefix.Length..] : string.Empty;
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? new BasicIngestTopic(rest, string.Empty) : new BasicIngestTopic(rest[..slash], rest[(slash + 1)..]);
    }
}
