namespace Queueing.Ingest.Telemetry;

/// <summary>
/// One telemetry record, validated and ready to become a Waylay event. The measurements are byte ranges in the
/// record's UTF-8 body, copied verbatim (already valid JSON) into the request body.
/// </summary>
internal sealed class TelemetryReading
{
    internal TelemetryReading(int index, string resource, long timestamp, ReadOnlyMemory<byte> body, Measurement[] measurements)
    {
        Index = index;
        Resource = resource;
        Timestamp = timestamp;
        Body = body;
        Measurements = measurements;
        EncodedLength = WaylayEventLength();
    }

    /// <summary>Position of the record in the SQS batch (the tie-break that keeps ordering stable).</summary>
    public int Index { get; }
    /// <summary>The Waylay resource id: always the device id the IoT rule took from the topic.</summary>
    public string Resource { get; }
    /// <summary>Event time, Unix epoch milliseconds.</summary>
    public long Timestamp { get; }
    /// <summary>The record's UTF-8 body (a slice of the invocation's event), which the measurements point into.</summary>
    internal ReadOnlyMemory<byte> Body { get; }
    internal Measurement[] Measurements { get; }
    /// <summary>Bytes of this reading's Waylay event JSON (see <see cref="Waylay.WaylayRequestBody"/>).</summary>
    public int EncodedLength { get; }

    // {"resource":"<id>","timestamp":<ms>,<name>:<value>...}
    private int WaylayEventLength()
    {
        var length = "{\"resource\":\"\",\"timestamp\":}".Length + Resource.Length + DigitCount(Timestamp);
        foreach (var m in Measurements)
        {
            length += 2 + m.NameLength + m.ValueLength; // ',' and ':'
        }

        return length;
    }

    private static int DigitCount(long value)
    {
        var digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }

        return digits;
    }
}

/// <summary>A measurement's raw JSON name (with its quotes) and raw JSON value, as offsets into the body.</summary>
internal readonly record struct Measurement(int NameStart, int NameLength, int ValueStart, int ValueLength);
