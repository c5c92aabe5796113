using System.Diagnostics;
using Queueing.AotBench.Accounting;
using Queueing.AotBench.Scenarios;
using Queueing.Emulators.Lambda;
using Queueing.Emulators.Template;

namespace Queueing.AotBench.Runs;

/// <summary>
/// Runs one function process under the local stack's Runtime API (<see cref="FunctionRuntime"/>, the emulator
/// <c>up</c> and <c>invoke</c> use): init, warm-ups, then the timed invocations, every one checked, and the figures
/// from the process's own accounting. Throws <see cref="BenchFailure"/> instead of returning figures of a run in
/// which anything failed.
/// </summary>
internal sealed class BenchRunner(FunctionDefinition function, FunctionLaunch launch, IBenchScenario scenario, TextWriter log)
{
    private static readonly TimeSpan CostLineTimeout = TimeSpan.FromSeconds(10);

    public async Task<RunFigures> RunAsync(int run, int warmups, int invocations, CancellationToken cancellationToken)
    {
        var tap = new FunctionLogTap(log);
        await using var runtime = await FunctionRuntime.StartAsync(
            function, launch, new FunctionRuntimeOptions(), new FunctionOutput(tap), TimeProvider.System, cancellationToken);
        var initFailures = await runtime.WarmUpAsync(cancellationToken);
        if (initFailures.Count > 0)
        {
            var failure = initFailures[0];
            throw new BenchFailure($"{function.LogicalId} failed its init ({failure.ErrorType}): {RuntimeErrorDocument.Message(failure.Payload)}{Environment.NewLine}{failure.RecentOutput}");
        }

        var pid = runtime.Instances[0].ProcessId ?? throw new BenchFailure($"{function.LogicalId}'s process is not running after its init.");
        for (var i = 1; i <= warmups; i++)
        {
            await InvokeAsync(runtime, tap, $"warm-up {i}", cancellationToken);
        }

        var loadBefore = ProcFs.LoadAverage();
        var durations = new List<double>(invocations);
        var costs = new List<InvocationCost>(invocations);
        var taken = default(StandInCount);
        var cpuBefore = ProcFs.CpuTime(pid);
        var clock = Stopwatch.StartNew();
        for (var i = 1; i <= invocations; i++)
        {
            var (duration, cost, took) = await InvokeAsync(runtime, tap, $"invocation {i}", cancellationToken);
            durations.Add(duration.TotalMilliseconds);
            costs.Add(cost);
            taken = new StandInCount(taken.Requests + took.Requests, taken.Items + took.Items, taken.Refused + took.Refused);
        }

        clock.Stop();
        var cpu = ProcFs.CpuTime(pid) - cpuBefore;
        var peak = ProcFs.PeakResidentBytes(pid);
        var rss = ProcFs.ResidentBytes(pid);
        if (await scenario.CheckRunAsync(cancellationToken) is { } runProblem)
        {
            throw new BenchFailure($"Run {run}: {runProblem}");
        }

        var items = (long)invocations * scenario.ItemsPerInvocation;
        durations.Sort();
        return new RunFigures
        {
            Run = run,
            Invocations = invocations,
            Items = items,
            WallSeconds = clock.Elapsed.TotalSeconds,
            MedianInvocationMs = durations[durations.Count / 2],
            CpuMicrosPerItem = cpu.TotalMicroseconds / items,
            SelfReportedCpuMicrosPerItem = costs.Sum(c => c.CpuMs) * 1000 / items,
            AllocatedBytesPerItem = costs.Sum(c => (double)c.AllocatedBytes) / items,
            Gen0PerInvocation = costs.Average(c => c.Gen0Collections),
            Gen1PerInvocation = costs.Average(c => c.Gen1Collections),
            Gen2PerInvocation = costs.Average(c => c.Gen2Collections),
            GcPauseMsPerInvocation = costs.Average(c => c.GcPauseMs),
            PeakRssMb = peak / 1e6,
            RssMb = rss / 1e6,
            StandInRequests = taken.Requests,
            StandInItems = taken.Items,
            LoadAverageBefore = loadBefore,
            LoadAverageAfter = ProcFs.LoadAverage(),
        };
    }

    private async Task<(TimeSpan Duration, InvocationCost Cost, StandInCount Taken)> InvokeAsync(
        FunctionRuntime runtime, FunctionLogTap tap, string what, CancellationToken cancellationToken)
    {
        var payload = scenario.NextEvent();
        var before = scenario.Count();
        var result = await runtime.InvokeAsync(payload, cancellationToken);
        if (result.IsError)
        {
            throw new BenchFailure($"{what}: {result.Outcome} ({result.ErrorType}): {RuntimeErrorDocument.Message(result.Payload)}");
        }

        if (scenario.Check(result.Payload, scenario.Count().Since(before)) is { } problem)
        {
            throw new BenchFailure($"{what}: {problem}");
        }

        // Read again after the check: the command API's scenario counts the commands SQS accepted from the answers.
        var taken = scenario.Count().Since(before);

        InvocationCost cost;
        try
        {
            cost = await tap.CostAsync(result.RequestId, CostLineTimeout).WaitAsync(cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new BenchFailure(
                $"{what}: the function wrote no cost line for {result.RequestId} within {CostLineTimeout.TotalSeconds} s. " +
                "It writes one per invocation at LOG_LEVEL Debug (src/Shared/Runtime/InvocationLoop.cs); is the executable older than that?");
        }

        if (tap.Errors.Count > 0)
        {
            throw new BenchFailure($"{what}: the function logged an error: {tap.Errors.First()}");
        }

        return (result.Duration, cost, taken);
    }
}
