using Queueing.Emulators.Template;

namespace Queueing.Emulators.Lambda;

/// <summary>How many environments a function gets and how long its init may take.</summary>
public sealed record FunctionRuntimeOptions
{
    public int Concurrency { get; init; } = 1;
    public TimeSpan InitTimeout { get; init; } = FunctionInstance.DefaultInitTimeout;
}

/// <summary>
/// A function under the emulated Lambda service: the Runtime API server for its sandboxes and the pool of
/// instances running its executable. <c>invoke</c> uses one; the local stack runs one per function of the template.
/// </summary>
public sealed class FunctionRuntime : IAsyncDisposable
{
    private readonly RuntimeApiServer _server;
    private readonly InstancePool _pool;

    private FunctionRuntime(FunctionDefinition function, RuntimeApiServer server, InstancePool pool)
    {
        Function = function;
        _server = server;
        _pool = pool;
    }

    public FunctionDefinition Function { get; }

    public IReadOnlyList<FunctionInstance> Instances => _pool.Instances;

    public static async Task<FunctionRuntime> StartAsync(
        FunctionDefinition function,
        FunctionLaunch launch,
        FunctionRuntimeOptions options,
        FunctionOutput output,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var server = await RuntimeApiServer.StartAsync(options.Concurrency, cancellationToken);
        var instances = server.Sandboxes
            .Select(sandbox => new FunctionInstance(function, launch, sandbox, output, time, options.InitTimeout))
            .ToList();
        return new FunctionRuntime(function, server, new InstancePool(instances));
    }

    /// <summary>Invokes with the trace an event source passed on this flow (<see cref="InvocationTrace"/>), if any.</summary>
    public Task<InvocationResult> InvokeAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        _pool.InvokeAsync(payload, InvocationTrace.Current, cancellationToken);

    /// <param name="traceHeader">The trace the invocation joins (same root, new parent); null starts a new one.</param>
    public Task<InvocationResult> InvokeAsync(ReadOnlyMemory<byte> payload, string? traceHeader, CancellationToken cancellationToken) =>
        _pool.InvokeAsync(payload, traceHeader, cancellationToken);

    public Task<IReadOnlyList<InvocationResult>> WarmUpAsync(CancellationToken cancellationToken) =>
        _pool.WarmUpAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _pool.DisposeAsync();
        await _server.DisposeAsync();
    }
}
