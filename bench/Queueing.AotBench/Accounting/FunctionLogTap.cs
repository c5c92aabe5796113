using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace Queueing.AotBench.Accounting;

/// <summary>What the runtime loop reports for one invocation at Debug (src/Shared/Runtime/InvocationLoop.cs).</summary>
internal sealed record InvocationCost(long AllocatedBytes, int Gen0Collections, int Gen1Collections, int Gen2Collections, double GcPauseMs, double CpuMs);

/// <summary>
/// The function process's stdout and stderr, as <see cref="Queueing.Emulators.Lambda.FunctionOutput"/> writes them
/// (<c>[source] line</c>): picks out each invocation's cost line by request id, keeps ERROR and FATAL lines (a run
/// that logged one is not clean), and passes those and anything that is not a JSON line on to <c>echo</c>.
/// </summary>
internal sealed class FunctionLogTap : TextWriter
{
    private readonly TextWriter _echo;
    private readonly StringBuilder _line = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<InvocationCost>> _costs = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _errors = new();

    public FunctionLogTap(TextWriter echo) => _echo = echo;

    public override Encoding Encoding => Encoding.UTF8;

    /// <summary>ERROR and FATAL lines seen so far.</summary>
    public IReadOnlyCollection<string> Errors => _errors;

    /// <summary>The cost line of <paramref name="requestId"/>; it follows the posted outcome by a moment.</summary>
    public Task<InvocationCost> CostAsync(string requestId, TimeSpan timeout) => Pending(requestId).Task.WaitAsync(timeout);

    public override void Write(char value)
    {
        if (value == '\n')
        {
            Complete();
        }
        else if (value != '\r')
        {
            _line.Append(value);
        }
    }

    public override void Write(string? value)
    {
        foreach (var c in value ?? string.Empty)
        {
            Write(c);
        }
    }

    public override void WriteLine(string? value)
    {
        Write(value);
        Complete();
    }

    public override void WriteLine() => Complete();

    private void Complete()
    {
        var line = _line.ToString();
        _line.Clear();
        // FunctionOutput prefixes "[LogicalId] ".
        var start = line.StartsWith('[') ? line.IndexOf("] ", StringComparison.Ordinal) : -1;
        var text = start < 0 ? line : line[(start + 2)..];
        if (!text.StartsWith('{'))
        {
            _echo.WriteLine(line);
            return;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.TryGetProperty("allocatedBytes", out var allocated) && root.TryGetProperty("invocationRequestId", out var requestId))
            {
                Pending(requestId.GetString()!).TrySetResult(new InvocationCost(
                    allocated.GetInt64(),
                    root.GetProperty("gen0Collections").GetInt32(),
                    root.GetProperty("gen1Collections").GetInt32(),
                    root.GetProperty("gen2Collections").GetInt32(),
                    root.GetProperty("gcPauseMs").GetDouble(),
                    root.GetProperty("cpuMs").GetDouble()));
                return;
            }

            if (root.TryGetProperty("level", out var level) && level.GetString() is "ERROR" or "FATAL")
            {
                _errors.Enqueue(text);
                _echo.WriteLine(line);
            }
        }
        catch (JsonException)
        {
            _echo.WriteLine(line);
        }
    }

    private TaskCompletionSource<InvocationCost> Pending(string requestId) =>
        _costs.GetOrAdd(requestId, _ => new TaskCompletionSource<InvocationCost>(TaskCreationOptions.RunContinuationsAsynchronously));
}
