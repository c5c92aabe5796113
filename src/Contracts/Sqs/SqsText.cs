using System.Text;

namespace Queueing.Contracts.Sqs;

/// <summary>
/// Text that SQS accepts in a message body or attribute value. SQS refuses a whole message holding a character
/// outside #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF; texts that come from elsewhere (a
/// broker's answer, an exception, a device) are cleaned and cut here, so a reason never blocks the message it is in.
/// </summary>
public static class SqsText
{
    /// <summary><paramref name="value"/> with every character SQS refuses (a lone surrogate too) replaced by U+FFFD.</summary>
    public static string Clean(string value)
    {
        if (!NeedsCleaning(value))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        var rest = value.AsSpan();
        while (!rest.IsEmpty)
        {
            var status = Rune.DecodeFromUtf16(rest, out var rune, out var consumed);
            builder.Append(status == System.Buffers.OperationStatus.Done && IsSqsCharacter(rune.Value) ? rest[..consumed] : "\uFFFD");
            rest = rest[consumed..];
        }

        return builder.ToString();
    }

    /// <summary><paramref name="value"/>, or its first characters and "…" in <paramref name="maxLength"/> characters.</summary>
    public static string Cut(string value, int maxLength)
    {
        if (value.Length <= maxLength)
        {
            return value;
        }

        var keep = maxLength - 1;
        // Never cut a surrogate pair in half: the lone half would be an invalid character.
        if (char.IsHighSurrogate(value[keep - 1]))
        {
            keep--;
        }

        return string.Concat(value.AsSpan(0, keep), "…");
    }

    private static bool NeedsCleaning(string value)
    {
        foreach (var c in value)
        {
            if (char.IsSurrogate(c) || !IsSqsCharacter(c))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsSqsCharacter(int c) =>
        c is 0x9 or 0xA or 0xD or (>= 0x20 and <= 0xD7FF) or (>= 0xE000 and <= 0xFFFD) or (>= 0x10000 and <= 0x10FFFF);
}
