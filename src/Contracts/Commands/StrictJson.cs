using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Queueing.Contracts.Json;

namespace Queueing.Contracts.Commands;

/// <summary>
/// The member checks both command-event readers share: one JSON object, no member twice, none but the known ones,
/// each of the kind it must be. Every problem is collected, so a reason names all of them at once.
/// </summary>
internal static class StrictJson
{
    public static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false, MaxDepth = 16 };

    /// <summary>The document of <paramref name="utf8"/>, or why it is not one JSON object (refusing a member twice).</summary>
    public static bool TryParseObject(ReadOnlyMemory<byte> utf8, string what, [NotNullWhen(true)] out JsonDocument? document, [NotNullWhen(false)] out string? error)
    {
        try
        {
            document = JsonDocument.Parse(utf8, Options);
        }
        catch (JsonException ex)
        {
            document = null;
            error = $"{what} is not valid JSON (or has a member twice): {ex.Message}";
            return false;
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            error = $"{what} is a JSON {Describe(document.RootElement.ValueKind)}; expected an object";
            document.Dispose();
            document = null;
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>Adds a problem for every member of <paramref name="root"/> not in <paramref name="known"/>.</summary>
    public static void RefuseUnknown(JsonElement root, ReadOnlySpan<string> known, List<string> problems)
    {
        foreach (var member in root.EnumerateObject())
        {
            if (!known.Contains(member.Name))
            {
                problems.Add($"unknown member '{Shorten(member.Name)}' (allowed: {string.Join(", ", known.ToArray())})");
            }
        }
    }

    /// <summary>The member's string value; null (and a problem when <paramref name="required"/>) when absent or not a string.</summary>
    public static string? String(JsonElement root, string name, bool required, List<string> problems)
    {
        if (!root.TryGetProperty(name, out var element))
        {
            if (required)
            {
                problems.Add($"{name} is missing");
            }

            return null;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            problems.Add($"{name} must be a string, got a JSON {Describe(element.ValueKind)}");
            return null;
        }

        try
        {
            return element.GetString();
        }
        // An escaped lone surrogate (\uD800) is JSON syntax but no text.
        catch (InvalidOperationException)
        {
            problems.Add($"{name} is not valid text (a lone surrogate)");
            return null;
        }
    }

    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => JsonTokenKinds.Describe(JsonTokenType.StartObject),
        JsonValueKind.Array => JsonTokenKinds.Describe(JsonTokenType.StartArray),
        JsonValueKind.String => JsonTokenKinds.Describe(JsonTokenType.String),
        JsonValueKind.Number => JsonTokenKinds.Describe(JsonTokenType.Number),
        JsonValueKind.True or JsonValueKind.False => JsonTokenKinds.Describe(JsonTokenType.True),
        _ => JsonTokenKinds.Describe(JsonTokenType.Null),
    };

    public static string Shorten(string value) => value.Length <= 64 ? value : string.Concat(value.AsSpan(0, 63), "…");
}
