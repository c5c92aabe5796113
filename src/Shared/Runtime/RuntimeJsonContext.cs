using System.Text.Json.Serialization;

namespace Queueing.Shared.Runtime;

/// <summary>Source-generated JSON metadata for what the runtime itself sends the Runtime API (no reflection: Native AOT).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RuntimeError))]
internal sealed partial class RuntimeJsonContext : JsonSerializerContext;
