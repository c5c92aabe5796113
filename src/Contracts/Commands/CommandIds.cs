namespace Queueing.Shared.Commands;

/// <summary>
/// What a command id may be where it crosses a trust boundary (a device's acknowledgement, a status message): 1 to
/// 128 printable ASCII characters without spaces. The command API issues UUIDs, well inside that; the rule keeps a
/// device's text from becoming an unbounded or unprintable Waylay field.
/// </summary>
public static class CommandIds
{
    public const int MaxLength = 128;

    public const string Rule = "1 to 128 printable ASCII characters without spaces (the command API issues UUIDs)";

    public static bool IsValid(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty || value.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }

        return true;
    }
}
