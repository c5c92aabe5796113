using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Queueing.Contracts.Json;

namespace Queueing.Local.Events;

/// <summary>Generated events written with the functions' own (source-generated) JSON contract, indented for people.</summary>
internal static class EventJson
{
    // Relaxed escaping: the output is for people and files, not for embedding in HTML.
    private static readonly JsonSerializerOptions Indented = new(SharedJsonContext.Default.Options)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, (JsonTypeInfo<T>)Indented.GetTypeInfo(typeof(T)));
}
