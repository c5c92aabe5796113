using System.Text;

namespace Queueing.Emulators.IoT;

/// <summary>MQTT topic names and filters with AWS IoT Core's limits.</summary>
internal static class MqttTopics
{
    // AWS IoT Core quotas: a topic (or filter) is at most 256 UTF-8 bytes and has at most 7 forward slashes (a Basic
    // Ingest topic's $aws/rules/<rule name>/ not counted).
    public const int MaxTopicBytes = 256;
    public const int MaxSlashes = 7;

    /// <summary>Why <paramref name="topic"/> cannot be published to, or null when it can.</summary>
    public static string? ProblemWithTopicName(string topic)
    {
        if (topic.Length == 0)
        {
            return "The topic name is empty.";
        }

        if (topic.AsSpan().IndexOfAny('+', '#') >= 0)
        {
            return $"The topic name '{topic}' contains a wildcard (+ or #); publish to a concrete topic.";
        }

        if (topic.Contains('\0', StringComparison.Ordinal))
        {
            return "The topic name contains a null character.";
        }

        // A Basic Ingest topic's first three levels ($aws/rules/<rule name>) count toward neither limit.
        return ProblemWithLimits(BasicIngestTopic.Parse(topic)?.RuleTopic ?? topic);
    }

    /// <summary>Why <paramref name="filter"/> is not a valid topic filter, or null when it is.</summary>
    public static string? ProblemWithTopicFilter(string filter)
    {
        if (filter.Length == 0)
        {
            return "The topic filter is empty.";
        }

        var levels = filter.Split('/');
        for (var i = 0; i < levels.Length; i++)
        {
            var level = levels[i];
            if (level.Contains('#', StringComparison.Ordinal) && (level != "#" || i != levels.Length - 1))
            {
                return $"The topic filter '{filter}' uses '#' other than as the whole last level.";
            }

            if (level.Contains('+', StringComparison.Ordinal) && level != "+")
            {
                return $"The topic filter '{filter}' uses '+' other than as a whole level.";
            }
        }

        return ProblemWithLimits(filter);
    }

    /// <summary>MQTT 3.1.1 section 4.7 matching: <c>+</c> is one level, a trailing <c>#</c> is any number of levels
    /// including none, and a filter starting with a wildcard does not match topics starting with <c>$</c>.</summary>
    public static bool Matches(string filter, string topic)
    {
        if (topic.StartsWith('$') && (filter.StartsWith('+') || filter.StartsWith('#')))
        {
            return false;
        }

        var f = filter.AsSpan();
        var t = topic.AsSpan();
        while (true)
        {
            var fEnd = f.IndexOf('/');
            var fLevel = fEnd < 0 ? f : f[..fEnd];
            if (fLevel is "#")
            {
                return true;
            }

            var tEnd = t.IndexOf('/');
            var tLevel = tEnd < 0 ? t : t[..tEnd];
            if (fLevel is not "+" && !fLevel.SequenceEqual(tLevel))
            {
                return false;
            }

            if (fEnd < 0 || tEnd < 0)
            {
                // Both must end together, except "a/#" also matches "a" (the '#' covers the parent level).
                return (fEnd < 0 && tEnd < 0) || (tEnd < 0 && f[(fEnd + 1)..] is "#");
            }

            f = f[(fEnd + 1)..];
            t = t[(tEnd + 1)..];
        }
    }

    private static string? ProblemWithLimits(string value)
    {
        if (Encoding.UTF8.GetByteCount(value) > MaxTopicBytes)
        {
            return $"'{value}' is longer than {MaxTopicBytes} bytes.";
        }

        if (value.AsSpan().Count('/') > MaxSlashes)
        {
            return $"'{value}' has more than {MaxSlashes} forward slashes.";
        }

        return null;
    }
}
