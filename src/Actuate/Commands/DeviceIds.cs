namespace Queueing.Actuate.Commands;

/// <summary>
/// Device ids are AWS IoT thing names: <c>[a-zA-Z0-9:_-]{1,128}</c>. That alphabet has no <c>/</c>, <c>+</c>,
/// <c>#</c> or <c>$</c>, so a device id dropped into the topic template can never add a topic level, become a
/// wildcard or reach a reserved <c>$aws/...</c> topic.
/// </summary>
public static class DeviceIds
{
    public const int MaxLength = 128;

    public const string Rule = "1 to 128 characters from a-z, A-Z, 0-9, ':', '_' and '-' (the AWS IoT thing-name alphabet)";

    public static bool IsValid(string? deviceId)
    {
        if (deviceId is null || deviceId.Length is 0 or > MaxLength)
        {
            return false;
        }

        foreach (var c in deviceId)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is ':' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
