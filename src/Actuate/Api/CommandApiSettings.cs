using Queueing.Actuate.Commands;
using Queueing.Shared.Settings;

namespace Queueing.Actuate.Api;

/// <summary>The command API's settings, read once at init; every problem is reported together.</summary>
internal sealed record CommandApiSettings(
    Uri QueueUrl,
    string SigningSecretParameter,
    CommandTopicTemplate TopicTemplate,
    int TtlDefaultSeconds,
    int TtlMaxSeconds,
    ReplayWindow ReplayWindow)
{
    // SQS keeps a message at most 14 days; a command cannot usefully live longer than its queue keeps it.
    public const int MaxTtlSeconds = 14 * 24 * 3600;

    public static CommandApiSettings Read(SettingsReader settings)
    {
        var problemsBefore = settings.Problems.Count;
        var queueUrl = settings.RequiredUrl("COMMAND_QUEUE_URL");
        // Only values that were read are compared: a missing or invalid one has its problem already, and its
        // placeholder would only add a second, misleading one.
        if (settings.Problems.Count == problemsBefore && !queueUrl.AbsolutePath.EndsWith(".fifo", StringComparison.Ordinal))
        {
            settings.AddProblem($"COMMAND_QUEUE_URL must be a FIFO queue (name ending in .fifo) so commands keep their order per device, got '{queueUrl}'.");
        }

        var parameter = settings.Required("COMMAND_SIGNING_SECRET_PARAMETER");
        var topicTemplate = CommandTopicTemplate.Read(settings);
        problemsBefore = settings.Problems.Count;
        var ttlDefault = settings.RequiredInt("COMMAND_TTL_DEFAULT_SECONDS", 1, MaxTtlSeconds);
        var ttlMax = settings.RequiredInt("COMMAND_TTL_MAX_SECONDS", 1, MaxTtlSeconds);
        var ttlsRead = settings.Problems.Count == problemsBefore;
        // How far ahead a caller's clock may be; how far behind is derived from it (ReplayWindow).
        var clockSkew = settings.Int("COMMAND_CLOCK_SKEW_SECONDS", (int)ReplayWindow.MaxAheadLimit.TotalSeconds, 0, (int)ReplayWindow.MaxAheadLimit.TotalSeconds);

        if (ttlsRead && ttlDefault > ttlMax)
        {
            settings.AddProblem($"COMMAND_TTL_DEFAULT_SECONDS ({ttlDefault}) must not exceed COMMAND_TTL_MAX_SECONDS ({ttlMax}).");
        }

        settings.ThrowIfInvalid();
        return new CommandApiSettings(queueUrl, parameter, topicTemplate!, ttlDefault, ttlMax, ReplayWindow.ForClockSkew(TimeSpan.FromSeconds(clockSkew)));
    }
}
