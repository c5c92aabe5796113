namespace Queueing.Shared.Tests.Runtime;

/// <summary>
/// The loop sets the process-wide <c>_X_AMZN_TRACE_ID</c>: tests that run it share one collection so they never
/// run at the same time as each other.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RuntimeLoopCollection
{
    public const string Name = "Runtime loop";
}
