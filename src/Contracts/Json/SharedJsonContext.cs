using System.Text.Json.Serialization;
using Queueing.Shared.Events;

namespace Queueing.Shared.Json;

/// <summary>Source-generated JSON metadata for the event and response models (no reflection: Native AOT).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SqsEvent))]
[JsonSerializable(typeof(SqsBatchResponse))]
[JsonSerializable(typeof(HttpApiRequest))]
[JsonSerializable(typeof(HttpApiResponse))]
public sealed partial class SharedJsonContext : JsonSerializerContext;
