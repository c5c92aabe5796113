using System.Text.Json.Serialization;
using Queueing.Contracts.Events;

namespace Queueing.Contracts.Json;

/// <summary>Source-generated JSON metadata for the event and response models (no reflection: Native AOT).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SqsEvent))]
[JsonSerializable(typeof(SqsBatchResponse))]
[JsonSerializable(typeof(HttpApiRequest))]
[JsonSerializable(typeof(HttpApiResponse))]
public sealed partial class SharedJsonContext : JsonSerializerContext;
