using System.Threading.Channels;

namespace Queueing.Emulators.Lambda;

/// <summary>
/// A function's execution environments: an invoke takes a free instance (waiting while all are busy, as a function
/// at its concurrency limit would throttle) and gives it back when done.
/// </summary>
internal sealed class InstancePool : IAsyncDisposable
{
    private readonly Channel<FunctionInstance> _free = Channel.CreateUnbounded<FunctionInstance>();

    public InstancePool(IReadOnlyList<FunctionInstance> instances)
    {
        ArgumentOutOfRangeException.ThrowIfZero(instances.Count);
        Instances = instances;
        foreach (var instance in instances)
        {
            _free.Writer.TryWrite(instance);
        }
    }

    public IReadOnlyList<FunctionInstance> Instances { get; }

    public async Task<InvocationResult> InvokeAsync(ReadOnlyMemory<byte> payload, string? traceHeader, CancellationToken cancellationToken)
    {
        var instance = await _free.Reader.ReadAsync(cancellationToken);
        try
        {
            return await instance.InvokeAsync(payload, traceHeader, cancellationToken);
        }
        finally
        {
            _free.Writer.TryWrite(instance);
        }
    }

    /// <summary>Starts every instance's process (warm instances for a long-running stack); returns init failures.</summary>
    public async Task<IReadOnlyList<InvocationResult>> WarmUpAsync(CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(Instances.Select(i => i.WarmUpAsync(cancellationToken)));
        return [.. results.OfType<InvocationResult>()];
    }

    public async ValueTask DisposeAsync()
    {
        _free.Writer.TryComplete();
        await Task.WhenAll(Instances.Select(i => i.DisposeAsync().AsTask()));
    }
}
