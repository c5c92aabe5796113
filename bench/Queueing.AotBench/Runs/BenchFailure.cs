namespace Queueing.AotBench.Runs;

/// <summary>The run cannot be reported: an invocation failed, a count is off, or the function could not start.</summary>
internal sealed class BenchFailure(string message) : Exception(message);
