namespace Queueing.Ingest;

/// <summary>CloudWatch metric names (namespace Queueing, dimension FunctionName), flushed as EMF once per invocation.</summary>
internal static class IngestMetricNames
{
    public const string Received = "Received";
    public const string Delivered = "Delivered";
    public const string ParkedMalformed = "ParkedMalformed";
    public const string ParkedRejected = "ParkedRejected";
    public const string ParkedExhausted = "ParkedExhausted";
    /// <summary>
    /// Envelopes whose <c>deviceID</c> disagrees with the device id the rule derived (topic or MQTT client id): a spoof
    /// attempt or a misconfigured device. Counted when seen; each is also parked, as rejected.
    /// </summary>
    public const string DeviceIdMismatch = "DeviceIdMismatch";
    /// <summary>DLQ sends that failed: those records stay batch item failures.</summary>
    public const string ParkingFailed = "ParkingFailed";
    /// <summary>Batch item failures reported (records SQS will redeliver).</summary>
    public const string Failed = "Failed";
    /// <summary>Retries Polly made (each one a further attempt of some request).</summary>
    public const string Retried = "Retried";
    public const string WaylayRequests = "WaylayRequests";
    /// <summary>
    /// One value per request, its retries included (EmbeddedMetrics keeps each one: CloudWatch's average and
    /// percentiles are per request).
    /// </summary>
    public const string WaylayLatency = "WaylayLatency";
}
