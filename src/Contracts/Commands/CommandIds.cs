using System.Text.Json;

namespace Queueing.Contracts.Commands;

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

    /// <summary>A command event's required <c>commandId</c> member, with a problem when it is missing, no string or
    /// no command id.</summary>
    internal static string? Read(JsonElement root, List<string> problems)
    {
        var commandId = StrictJson.String(root, "commandId", required: true, problems);
        if (commandId is not null && !IsValid(commandId))
        {
            problems.Add($"commandId '{StrictJson.Shorten(commandId)}' is not a command id ({Rule})");
        }

        return commandId;
    }
}
