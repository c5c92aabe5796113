namespace Queueing.Shared.Runtime;

/// <summary>A Lambda function: raw event bytes in, response bytes out.</summary>
public interface IFunctionHandler
{
    Task<byte[]> InvokeAsync(ReadOnlyMemory<byte> payload, InvocationContext context, CancellationToken cancellationToken);
}
