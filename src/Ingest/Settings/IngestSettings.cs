using Queueing.Ingest.Telemetry;
using Queueing.Shared.Settings;

namespace Queueing.Ingest.Settings;

/// <summary>The Ingest function's configuration, read once at init from the variables the template sets.</summary>
internal sealed record IngestSettings
{
    public const int DefaultRequestTimeoutMs = 5000;
    public const int DefaultMaxTelemetryBytes = 128 * 1024;

    public required Uri WaylayDataUrl { get; init; }
    public required string CredentialsParameter { get; init; }
    public required string DeadLetterQueueUrl { get; init; }
    /// <summary>The source queue's redrive <c>maxReceiveCount</c>: the receive that parks instead of retrying.</summary>
    public required int MaxReceiveCount { get; init; }
    public required TimeSpan WaylayRequestTimeout { get; init; }
    public required int MaxTelemetryBytes { get; init; }
    /// <summary>The payload format of the telemetry rule's topic; the legacy rule's payloads are always envelopes.</summary>
    public TelemetryFormat TelemetryFormat { get; init; } = TelemetryFormat.Flat;

    /// <summary>Reads every Ingest setting and reports all problems together.</summary>
    public static IngestSettings Read(SettingsReader settings)
    {
        var result = new IngestSettings
        {
            WaylayDataUrl = settings.RequiredUrl("WAYLAY_DATA_URL"),
            CredentialsParameter = settings.Required("WAYLAY_CREDENTIALS_PARAMETER"),
            DeadLetterQueueUrl = settings.RequiredUrl("DEAD_LETTER_QUEUE_URL").ToString(),
            // SQS accepts a redrive maxReceiveCount from 1 to 1000.
            MaxReceiveCount = settings.RequiredInt("MAX_RECEIVE_COUNT", 1, 1000),
            // Polly's timeout strategy needs more than 10 ms; a minute is far beyond any healthy broker answer.
            WaylayRequestTimeout = TimeSpan.FromMilliseconds(settings.Int("WAYLAY_REQUEST_TIMEOUT_MS", DefaultRequestTimeoutMs, 100, 60_000)),
            // An SQS message is at most 1 MiB (256 KiB on queues created before the raise).
            MaxTelemetryBytes = settings.Int("MAX_TELEMETRY_BYTES", DefaultMaxTelemetryBytes, 64, 1024 * 1024),
            TelemetryFormat = ReadFormat(settings),
        };
        settings.ThrowIfInvalid();
        return result;
    }

    // Unset means flat, the format before there was a choice; a value that is neither is a mistake, not flat.
    private static TelemetryFormat ReadFormat(SettingsReader settings)
    {
        var value = settings.Optional("TELEMETRY_FORMAT");
        if (value is null)
        {
            return TelemetryFormat.Flat;
        }

        if (TelemetryFormats.TryParse(value, out var format))
        {
            return format;
        }

        settings.AddProblem($"TELEMETRY_FORMAT must be flat or envelope, got '{value}'.");
        return TelemetryFormat.Flat;
    }
}
