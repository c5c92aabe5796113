using System.Net;
using System.Text;
using System.Text.Json;

namespace Queueing.Ingest.Waylay;

/// <summary>Reads the broker's ErrorResponse <c>{"error": "..."}</c>; falls back to the start of the body.</summary>
internal static class WaylayErrorText
{
    private const int MaxBodyExcerpt = 300;

    public static string From(HttpStatusCode status, string? reasonPhrase, ReadOnlySpan<byte> body)
    {
        var prefix = $"HTTP {(int)status}{(string.IsNullOrEmpty(reasonPhrase) ? "" : " " + reasonPhrase)}";
        var error = ErrorField(body);
        if (error is not null)
        {
            return prefix + ": " + error;
        }

        if (body.IsEmpty)
        {
            return prefix;
        }

        var text = Encoding.UTF8.GetString(body.Length > MaxBodyExcerpt ? body[..MaxBodyExcerpt] : body).Trim();
        return text.Length == 0 ? prefix : prefix + ": " + text;
    }

    private static string? ErrorField(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isError = reader.ValueTextEquals("error"u8);
                reader.Read();
                if (isError && reader.TokenType == JsonTokenType.String)
                {
                    return reader.GetString();
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not an ErrorResponse (an HTML page from a proxy, say): the caller quotes the body instead.
        }

        return null;
    }
}
