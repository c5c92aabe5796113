using System.Text;
using System.Text.Json;
using Queueing.Contracts.Devices;

namespace Queueing.Actuate.Api;

/// <summary>
/// Validates a command body: a JSON object with exactly the fields <c>deviceId</c>, <c>payload</c>,
/// <c>ttlSeconds</c>? and <c>qos</c>?; no duplicate properties anywhere (a duplicate makes the meaning depend on
/// the parser); every problem is reported at once with a JSON Pointer.
/// </summary>
internal sealed class CommandRequestParser
{
    /// <summary>IoT Core's payload limit for a publish is 128 KB; the payload as sent must fit.</summary>
    public const int MaxPayloadBytes = 128 * 1024;

    /// <summary>The payload plus room for the envelope; a larger body is refused before it is parsed.</summary>
    public const int MaxBodyBytes = MaxPayloadBytes + 4 * 1024;

    public const int DefaultQos = 1;

    // Enough to report a burst of mistakes without letting a hostile body grow the answer without bound.
    private const int MaxErrors = 20;
    private const int MaxNameInPointer = 64;

    private static readonly string[] KnownFields = ["deviceId", "payload", "ttlSeconds", "qos"];
    private static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false, MaxDepth = 64 };

    private readonly int _ttlDefaultSeconds;
    private readonly int _ttlMaxSeconds;

    public CommandRequestParser(int ttlDefaultSeconds, int ttlMaxSeconds)
    {
        _ttlDefaultSeconds = ttlDefaultSeconds;
        _ttlMaxSeconds = ttlMaxSeconds;
    }

    public (CommandRequest? Request, Problem? Problem) Parse(ReadOnlyMemory<byte> body)
    {
        if (body.Length > MaxBodyBytes)
        {
            return (null, Problem.TooLarge($"The body is {body.Length} bytes; at most {MaxBodyBytes} are accepted (a payload of at most {MaxPayloadBytes} bytes plus the envelope)."));
        }

        try
        {
            using var document = JsonDocument.Parse(body, Options);
            return Validate(document.RootElement);
        }
        catch (JsonException ex)
        {
            return (null, Problem.Invalid("The body is not valid JSON.", [new ProblemError("#", Shorten(ex.Message))]));
        }
        // System.Text.Json throws this when an escaped lone surrogate (\uD800 without its pair) has to become a
        // string: legal JSON syntax, but no Unicode text.
        catch (InvalidOperationException ex)
        {
            return (null, Problem.Invalid("The body is not valid JSON text.", [new ProblemError("#", Shorten(ex.Message))]));
        }
    }

    private (CommandRequest?, Problem?) Validate(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, Problem.Invalid("The body must be a JSON object.", [new ProblemError("#", $"expected an object, got {Kind(root)}")]));
        }

        var errors = new List<ProblemError>();
        foreach (var property in root.EnumerateObject())
        {
            if (!KnownFields.Contains(property.Name, StringComparer.Ordinal) && errors.Count < MaxErrors)
            {
                errors.Add(new ProblemError(Pointer(property.Name), $"unknown field; the fields are {string.Join(", ", KnownFields)}"));
            }
        }

        var deviceId = DeviceId(root, errors);
        var ttl = OptionalInt(root, "ttlSeconds", _ttlDefaultSeconds, 1, _ttlMaxSeconds, $"must be an integer from 1 to {_ttlMaxSeconds} (seconds)", errors);
        var qos = OptionalInt(root, "qos", DefaultQos, 0, 1, "must be 0 or 1 (AWS IoT Core has no QoS 2)", errors);
        string? payload = null;
        if (!root.TryGetProperty("payload", out var payloadElement))
        {
            errors.Add(new ProblemError("#/payload", "required: the JSON value to publish to the device"));
        }
        else
        {
            payload = payloadElement.GetRawText();
            if (CheckPayload(payload, errors) is { } tooLarge)
            {
                return (null, tooLarge);
            }
        }

        if (errors.Count > 0)
        {
            return (null, Problem.Invalid($"The command has {errors.Count} problem(s); see errors.", errors.Take(MaxErrors).ToList()));
        }

        return (new CommandRequest(deviceId!, payload!, ttl, qos), null);
    }

    private static string? DeviceId(JsonElement root, List<ProblemError> errors)
    {
        if (!root.TryGetProperty("deviceId", out var element))
        {
            errors.Add(new ProblemError("#/deviceId", "required"));
            return null;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            errors.Add(new ProblemError("#/deviceId", $"must be a string, got {Kind(element)}"));
            return null;
        }

        var deviceId = element.GetString();
        if (!ThingName.IsValid(deviceId))
        {
            errors.Add(new ProblemError("#/deviceId", "must be " + ThingName.Rule));
            return null;
        }

        return deviceId;
    }

    /// <summary>An optional integer; JSON null counts as absent.</summary>
    private static int OptionalInt(JsonElement root, string name, int defaultValue, int min, int max, string rule, List<ProblemError> errors)
    {
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return defaultValue;
        }

        // TryGetInt32 refuses fractions and exponents, so 1.5 and 1e2 are errors rather than silently rounded.
        if (element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var value) && value >= min && value <= max)
        {
            return value;
        }

        errors.Add(new ProblemError("#/" + name, element.ValueKind == JsonValueKind.Number ? rule : $"{rule}; got {Kind(element)}"));
        return defaultValue;
    }

    private static Problem? CheckPayload(string payload, List<ProblemError> errors)
    {
        var bytes = Encoding.UTF8.GetByteCount(payload);
        if (bytes > MaxPayloadBytes)
        {
            return Problem.TooLarge(
                $"The payload is {bytes} bytes; AWS IoT Core publishes at most {MaxPayloadBytes}.",
                [new ProblemError("#/payload", $"at most {MaxPayloadBytes} bytes as sent")]);
        }

        // SQS message bodies exclude U+FFFE and U+FFFF (its allowed set is XML's); valid JSON can carry them raw
        // inside a string, so such a payload could never be enqueued. Escaped (\uFFFE) it travels fine.
        if (payload.AsSpan().IndexOfAny('\uFFFE', '\uFFFF') >= 0)
        {
            errors.Add(new ProblemError("#/payload", "contains a raw U+FFFE or U+FFFF, which SQS cannot carry; send it escaped (\\uFFFE)"));
        }

        return null;
    }

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    /// <summary>A JSON Pointer (RFC 6901) to a top-level member, in URI fragment form.</summary>
    internal static string Pointer(string name)
    {
        var shown = name.Length > MaxNameInPointer ? name[..MaxNameInPointer] : name;
        var escaped = shown.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
        var pointer = new StringBuilder("#/", escaped.Length + 2);
        Span<byte> utf8 = stackalloc byte[4];
        // By runes, so that even a lone surrogate could not break the encoding (it would become U+FFFD).
        foreach (var rune in escaped.EnumerateRunes())
        {
            if (rune.IsAscii && (char.IsAsciiLetterOrDigit((char)rune.Value) || (char)rune.Value is '-' or '.' or '_' or '~'))
            {
                pointer.Append((char)rune.Value);
                continue;
            }

            var length = rune.EncodeToUtf8(utf8);
            foreach (var b in utf8[..length])
            {
                pointer.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return pointer.ToString();
    }

    internal static string Shorten(string message) => message.Length <= 300 ? message : message[..300] + "…";
}
