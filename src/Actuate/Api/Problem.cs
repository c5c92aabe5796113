using System.Buffers;
using System.Text;
using System.Text.Json;
using Queueing.Contracts.Events;

namespace Queueing.Actuate.Api;

/// <summary>One field-level validation failure: a JSON Pointer (RFC 6901, in URI fragment form) and what is wrong.</summary>
public readonly record struct ProblemError(string Pointer, string Detail);

/// <summary>
/// An RFC 9457 problem document (<c>application/problem+json</c>): <c>type</c>, <c>title</c>, <c>status</c>,
/// <c>detail</c>, <c>instance</c>, and for validation failures an <c>errors</c> member listing each one.
/// The type URIs are identifiers, documented in docs/commands.md; they are not meant to be fetched.
/// </summary>
public sealed class Problem
{
    public const string MediaType = "application/problem+json";
    private const string TypePrefix = "urn:queueing:problem:";

    public required int Status { get; init; }
    public required string Type { get; init; }
    public required string Title { get; init; }
    public required string Detail { get; init; }
    public IReadOnlyList<ProblemError> Errors { get; init; } = [];
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public static Problem NotFound(string method, string path) => new()
    {
        Status = 404, Type = TypePrefix + "not-found", Title = "Not Found",
        Detail = $"No route for {method} {path}. The command API serves POST /commands.",
    };

    public static Problem MethodNotAllowed(string method) => new()
    {
        Status = 405, Type = TypePrefix + "method-not-allowed", Title = "Method Not Allowed",
        Detail = $"/commands accepts POST, not {method}.",
        Headers = new Dictionary<string, string> { ["Allow"] = "POST" },
    };

    public static Problem Unauthorized(string detail) => new()
    {
        Status = 401, Type = TypePrefix + "unauthorized", Title = "Unauthorized", Detail = detail,
        // RFC 9110 asks a 401 to name its scheme; ours is documented in docs/commands.md.
        Headers = new Dictionary<string, string> { ["WWW-Authenticate"] = "Queueing-HMAC-SHA256 realm=\"commands\"" },
    };

    public static Problem UnsupportedMediaType(string detail) => new()
    {
        Status = 415, Type = TypePrefix + "unsupported-media-type", Title = "Unsupported Media Type", Detail = detail,
        Headers = new Dictionary<string, string> { ["Accept-Post"] = "application/json" },
    };

    public static Problem TooLarge(string detail, IReadOnlyList<ProblemError>? errors = null) => new()
    {
        Status = 413, Type = TypePrefix + "too-large", Title = "Content Too Large", Detail = detail, Errors = errors ?? [],
    };

    public static Problem Invalid(string detail, IReadOnlyList<ProblemError> errors) => new()
    {
        Status = 400, Type = TypePrefix + "invalid-command", Title = "Invalid Command", Detail = detail, Errors = errors,
    };

    public static Problem Unavailable(string detail) => new()
    {
        Status = 503, Type = TypePrefix + "unavailable", Title = "Service Unavailable", Detail = detail,
        Headers = new Dictionary<string, string> { ["Retry-After"] = "1" },
    };

    public static Problem Internal(string detail) => new()
    {
        Status = 500, Type = TypePrefix + "internal", Title = "Internal Server Error", Detail = detail,
    };

    public HttpApiResponse ToResponse(string instance)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", Type);
            writer.WriteString("title", Title);
            writer.WriteNumber("status", Status);
            writer.WriteString("detail", Detail);
            writer.WriteString("instance", instance);
            if (Errors.Count > 0)
            {
                writer.WriteStartArray("errors");
                foreach (var error in Errors)
                {
                    writer.WriteStartObject();
                    writer.WriteString("pointer", error.Pointer);
                    writer.WriteString("detail", error.Detail);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        var headers = new Dictionary<string, string>(Headers, StringComparer.OrdinalIgnoreCase) { ["Content-Type"] = MediaType };
        return new HttpApiResponse { StatusCode = Status, Headers = headers, Body = Encoding.UTF8.GetString(buffer.WrittenSpan) };
    }
}
