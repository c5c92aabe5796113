using System.Net;
using System.Text;
using Queueing.Contracts.Json;

namespace Queueing.Ingest.Waylay;

/// <summary>Reads the broker's ErrorResponse <c>{"error": "..."}</c>; falls back to the start of the body.</summary>
internal static class WaylayErrorText
{
    private const int MaxBodyExcerpt = 300;

    public static string From(HttpStatusCode status, string? reasonPhrase, ReadOnlySpan<byte> body)
    {
        var prefix = $"HTTP {(int)status}{(string.IsNullOrEmpty(reasonPhrase) ? "" : " " + reasonPhrase)}";
        var error = TopLevelMember.String(body, "error"u8);
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
}
