using System.Text.Json;

namespace Queueing.Contracts.Json;

/// <summary>
/// One string member of a JSON object's top level, read without parsing the rest into a document: a forward pass
/// that skips every other value. For the rare reads of a body that may not be JSON at all (a parked record's
/// device, a broker's error text).
/// </summary>
public static class TopLevelMember
{
    /// <summary>The first top-level member <paramref name="name"/> of <paramref name="utf8"/> when it is a string;
    /// null when it is absent, not a string, or the body is no JSON object up to it.</summary>
    public static string? String(ReadOnlySpan<byte> utf8, ReadOnlySpan<byte> name, JsonReaderOptions options = default)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8, options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var found = reader.ValueTextEquals(name);
                reader.Read();
                if (found && reader.TokenType == JsonTokenType.String)
                {
                    return reader.GetString();
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not JSON beyond the part read (an HTML page from a proxy, a truncated body): no such member.
        }

        return null;
    }
}
