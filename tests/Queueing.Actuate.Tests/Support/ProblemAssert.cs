using System.Text.Json;
using Queueing.Contracts.Events;

namespace Queueing.Actuate.Tests.Support;

internal static class ProblemAssert
{
    /// <summary>
    /// The response is an RFC 9457 problem document with <paramref name="status"/>: the media type, and the members
    /// type, title, status (equal to the HTTP status), detail and instance, each of the right JSON type.
    /// </summary>
    public static JsonElement IsProblem(HttpApiResponse response, int status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Headers!["Content-Type"]);
        using var document = JsonDocument.Parse(response.Body!);
        var root = document.RootElement.Clone();
        Assert.StartsWith("urn:queueing:problem:", root.GetProperty("type").GetString());
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("title").GetString()));
        Assert.Equal(status, root.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("detail").GetString()));
        Assert.StartsWith("urn:queueing:request:", root.GetProperty("instance").GetString());
        return root;
    }

    public static IReadOnlyList<string> Pointers(JsonElement problem) =>
        problem.TryGetProperty("errors", out var errors) ? errors.EnumerateArray().Select(e => e.GetProperty("pointer").GetString()!).ToList() : [];
}
