using System.Text.Json.Serialization;
using Queueing.Shared.Events;
using Queueing.Shared.Runtime;

namespace Queueing.Shared.Json;

/// <summary>Source-generated JSON metadata for every Shared wire type (no reflection: Native AOT).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SqsEvent))]
[JsonSerializable(typeof(SqsBatchResponse))]
[JsonSerializable(typeof(HttpApiRequest))]
[JsonSerializable(typeof(HttpApiResponse))]
[JsonSerializable(typeof(RuntimeError))]
public sealed partial class SharedJsonContext : JsonSerializerContext;
