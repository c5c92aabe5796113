namespace Queueing.Contracts.Devices;

/// <summary>
/// A device id is an AWS IoT thing name: 1 to 128 characters of <c>[a-zA-Z0-9:_-]</c>. Telemetry arrives on
/// <c>devices/{thingName}/telemetry</c> and commands leave on the command topic built from it; that alphabet has no
/// <c>/</c>, <c>+</c>, <c>#</c> or <c>$</c>, so a valid id never adds a topic level, becomes a wildcard or reaches a
/// reserved <c>$aws/...</c> topic, and is a safe Waylay resource id.
/// </summary>
public static class ThingName
{
    public const int MaxLength = 128;

    public const string Rule = "1 to 128 characters from a-z, A-Z, 0-9, ':', '_' and '-' (the AWS IoT thing-name alphabet)";

    /// <summary>Whether <paramref name="value"/> is a thing name; a null string is not.</summary>
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
