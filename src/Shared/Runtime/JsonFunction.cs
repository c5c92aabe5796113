using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Queueing.Contracts.Runtime;

namespace Queueing.Shared.Runtime;

/// <summary>A function whose event and response are JSON documents, (de)serialised by source-generated metadata.</summary>
public abstract class JsonFunction<TRequest, TResponse> : IFunctionHandler
{
    private readonly JsonTypeInfo<TRequest> _requestType;
    private readonly JsonTypeInfo<TResponse> _responseType;

    protected JsonFunction(JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType)
    {
        _requestType = requestType;
        _responseType = responseType;
    }

    public async Task<byte[]> InvokeAsync(ReadOnlyMemory<byte> payload, InvocationContext context, CancellationToken cancellationToken)
    {
        TRequest request;
        try
        {
            request = JsonSerializer.Deserialize(payload.Span, _requestType)
                ?? throw new InvalidEventException($"The event is JSON null; expected a {typeof(TRequest).Name}.");
        }
        catch (JsonException ex)
        {
            throw new InvalidEventException($"The event is not a valid {typeof(TRequest).Name}: {ex.Message}", ex);
        }

        var response = await HandleAsync(request, context, cancellationToken);
        return JsonSerializer.SerializeToUtf8Bytes(response, _responseType);
    }

    public abstract Task<TResponse> HandleAsync(TRequest request, InvocationContext context, CancellationToken cancellationToken);
}
