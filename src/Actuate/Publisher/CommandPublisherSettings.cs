using Queueing.Actuate.Commands;
using Queueing.Shared.Settings;

namespace Queueing.Actuate.Publisher;

/// <summary>The command publisher's settings, read once at init; every problem is reported together.</summary>
public sealed record CommandPublisherSettings(
    Uri IotDataEndpoint,
    CommandTopicTemplate TopicTemplate,
    Uri DeadLetterQueueUrl,
    Uri StatusQueueUrl,
    int MaxReceiveCount,
    string Region,
    TimeSpan PublishTimeout)
{
    public static CommandPublisherSettings Read(SettingsReader settings)
    {
        var endpoint = settings.RequiredUrl("IOT_DATA_ENDPOINT", allowHost: true);
        // The publisher derives each command's topic again rather than trust the queue message's.
        var topicTemplate = CommandTopicTemplate.Read(settings);
        var dlq = settings.RequiredUrl("DEAD_LETTER_QUEUE_URL");
        // IngestQueue: each command's fate goes there as a status message, for Ingest to hand to Waylay.
        var statusQueue = settings.RequiredUrl("STATUS_QUEUE_URL");
        var maxReceiveCount = settings.RequiredInt("MAX_RECEIVE_COUNT", 1, 1000);
        var region = settings.Required("AWS_REGION");
        var timeoutMs = settings.Int("IOT_PUBLISH_TIMEOUT_MS", 5000, 100, 60_000);
        settings.ThrowIfInvalid();
        return new CommandPublisherSettings(endpoint, topicTemplate!, dlq, statusQueue, maxReceiveCount, region, TimeSpan.FromMilliseconds(timeoutMs));
    }
}
