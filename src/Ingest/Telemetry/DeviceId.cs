namespace Queueing.Ingest.Telemetry;

/// <summary>
/// An AWS IoT thing name: 1 to 128 characters of <c>[a-zA-Z0-9:_-]</c>. The telemetry topic is
/// <c>devices/{thingName}/telemetry</c>, so a valid device id is also a safe Waylay resource id.
/// </summary>
public static class DeviceId
{
    public const int MaxLength = 128;

    public static bool IsValid(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty || value.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not (':' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
