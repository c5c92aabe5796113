using System.Text;
using System.Text.Json;
using Queueing.Emulators.Hosting;

namespace Queueing.Local.EventSources;

/// <summary>What API Gateway sends back to the client for a function's response.</summary>
internal sealed record GatewayResponse(
    int StatusCode,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    IReadOnlyList<string> Cookies,
    ReadOnlyMemory<byte> Body);

/// <summary>
/// How HTTP API reads a Lambda response in payload format 2.0 ("Lambda function response for format 2.0"):
/// a JSON object with <c>statusCode</c> is the response (<c>headers</c>, <c>cookies</c> as one Set-Cookie each,
/// <c>body</c>, base64-decoded when <c>isBase64Encoded</c>); any other valid JSON is a 200 with
/// <c>content-type: application/json</c> and the function's output as the body. Anything else is unusable and
/// API Gateway answers 500.
/// </summary>
internal static class LambdaProxyResponse
{
    /// <summary>The response to send, or null with the reason when API Gateway cannot use the function's output.</summary>
    public static GatewayResponse? Map(ReadOnlyMemory<byte> payload, out string? problem)
    {
        problem = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload);
        }
        catch (JsonException)
        {
            problem = "the response is not valid JSON";
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("statusCode", out var statusCode))
            {
                return new GatewayResponse(200, [KeyValuePair.Create("content-type", "application/json")], [], payload);
            }

            problem = ProblemWithShape(root, statusCode, out var response);
            return response;
        }
    }

    private static string? ProblemWithShape(JsonElement root, JsonElement statusCode, out GatewayResponse? response)
    {
        response = null;
        if (statusCode.ValueKind != JsonValueKind.Number || !statusCode.TryGetInt32(out var status) || status is < 100 or > 599)
        {
            return $"statusCode {statusCode.GetRawText()} is not an HTTP status code";
        }

        var headers = new List<KeyValuePair<string, string>>();
        if (Present(root, "headers") is { } headersElement)
        {
            if (headersElement.ValueKind != JsonValueKind.Object)
            {
                return "headers is not an object";
            }

            foreach (var header in headersElement.EnumerateObject())
            {
                if (JsonHeaderValue.From(header.Value) is not { } value)
                {
                    return $"header '{header.Name}' is not a string";
                }

                headers.Add(KeyValuePair.Create(header.Name, value));
            }
        }

        var cookies = new List<string>();
        if (Present(root, "cookies") is { } cookiesElement)
        {
            if (cookiesElement.ValueKind != JsonValueKind.Array || cookiesElement.EnumerateArray().Any(c => c.ValueKind != JsonValueKind.String))
            {
                return "cookies is not an array of strings";
            }

            cookies.AddRange(cookiesElement.EnumerateArray().Select(c => c.GetString()!));
        }

        var isBase64 = false;
        if (Present(root, "isBase64Encoded") is { } base64Element)
        {
            if (base64Element.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return "isBase64Encoded is not a boolean";
            }

            isBase64 = base64Element.GetBoolean();
        }

        byte[] body = [];
        if (Present(root, "body") is { } bodyElement)
        {
            if (bodyElement.ValueKind != JsonValueKind.String)
            {
                return "body is not a string";
            }

            var text = bodyElement.GetString()!;
            if (!isBase64)
            {
                body = Encoding.UTF8.GetBytes(text);
            }
            else
            {
                try
                {
                    body = Convert.FromBase64String(text);
                }
                catch (FormatException)
                {
                    return "body is not valid base64 although isBase64Encoded is true";
                }
            }
        }

        response = new GatewayResponse(status, headers, cookies, body);
        return null;
    }

    private static JsonElement? Present(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;
}
