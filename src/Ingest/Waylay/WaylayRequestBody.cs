using System.Diagnostics;
using System.Globalization;
using System.Text;
using Queueing.Ingest.Telemetry;

namespace Queueing.Ingest.Waylay;

/// <summary>
/// The body of <c>POST /data/v1/events</c>: a JSON array of ResourceEvents,
/// <c>[{"resource":"lamp-1","timestamp":1764288000000,"lightValue":412}, ...]</c>. Measurement names and values
/// are copied byte for byte from the validated telemetry (already valid JSON), so there is no re-encoding and
/// exactly one allocation per request.
/// </summary>
internal static class WaylayRequestBody
{
    public static byte[] Write(IReadOnlyList<TelemetryReading> events)
    {
        var length = 2 + Math.Max(0, events.Count - 1);
        foreach (var reading in events)
        {
            length += reading.EncodedLength;
        }

        var buffer = new byte[length];
        var span = buffer.AsSpan();
        var position = 0;
        span[position++] = (byte)'[';
        for (var i = 0; i < events.Count; i++)
        {
            if (i > 0)
            {
                span[position++] = (byte)',';
            }

            position += WriteEvent(events[i], span[position..]);
        }

        span[position++] = (byte)']';
        Debug.Assert(position == length, "TelemetryReading.EncodedLength disagrees with the writer.");
        return buffer;
    }

    private static int WriteEvent(TelemetryReading reading, Span<byte> destination)
    {
        var position = Append(destination, 0, "{\"resource\":\""u8);
        // A device id is ASCII from the thing-name alphabet: nothing to escape.
        position += Encoding.ASCII.GetBytes(reading.Resource, destination[position..]);
        position = Append(destination, position, "\",\"timestamp\":"u8);
        reading.Timestamp.TryFormat(destination[position..], out var digits, default, CultureInfo.InvariantCulture);
        position += digits;
        var body = reading.Body.Span;
        foreach (var m in reading.Measurements)
        {
            destination[position++] = (byte)',';
            position = Append(destination, position, body.Slice(m.NameStart, m.NameLength));
            destination[position++] = (byte)':';
            position = Append(destination, position, body.Slice(m.ValueStart, m.ValueLength));
        }

        destination[position++] = (byte)'}';
        return position;
    }

    private static int Append(Span<byte> destination, int position, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination[position..]);
        return position + bytes.Length;
    }
}
