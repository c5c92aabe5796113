using System.Diagnostics;
using Queueing.Local.Aws;
using Queueing.Local.Cli;
using Queueing.Local.Functions;
using Queueing.Local.Template;
using Spectre.Console;

namespace Queueing.Local.Up;

/// <summary>
/// <c>up</c>: starts the <see cref="LocalStack"/>, shows it live, and for a bounded run (<c>--messages</c>,
/// <c>--duration</c>) stops the devices, waits until every message is accounted for, prints the summary and exits
/// non-zero if anything was lost. Ctrl+C stops every child process and moto.
/// </summary>
public sealed class UpRun
{
    private static readonly TimeSpan DrainPoll = TimeSpan.FromMilliseconds(500);

    /// <summary>After Ctrl+C: how long what is in flight may finish before everything stops (within the command
    /// line's process termination timeout).</summary>
    public static readonly TimeSpan InterruptDrain = TimeSpan.FromSeconds(10);
    private const int SettledChecks = 3;
    private readonly CliContext _cli;

    public UpRun(CliContext cli) => _cli = cli;

    /// <summary>Called with the stack once everything is up (tests look inside, or interrupt).</summary>
    public Func<LocalStack, Task>? Started { get; init; }

    /// <summary>Called with the running stack after a bounded run drained, before it stops (tests look inside).</summary>
    public Func<LocalStack, Task>? BeforeStop { get; init; }

    public async Task<int> RunAsync(UpOptions options, CancellationToken cancellationToken)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            return await FailAsync(ExitCodes.Usage, string.Join(Environment.NewLine, problems));
        }

        var logPath = options.LogFile is { } given
            ? Path.GetFullPath(given, _cli.CurrentDirectory)
            : Path.Combine(Path.GetTempPath(), $"queueing-local-up-{DateTime.UtcNow:yyyyMMdd-HHmmss}.log");
        await using var log = TextWriter.Synchronized(new StreamWriter(logPath, append: false) { AutoFlush = true });
        await _cli.Error.WriteLineAsync($"Logs of the functions and the stack: {logPath}");
        var clock = Stopwatch.StartNew();

        LocalStack stack;
        try
        {
            stack = await LocalStack.StartAsync(options, _cli, log, line => _cli.Error.WriteLine(line), cancellationToken);
        }
        catch (Exception ex) when (Classify(ex) is { } exitCode)
        {
            return await FailAsync(exitCode, ex is TemplateException ? "The template cannot be run locally:" + Environment.NewLine + ex.Message : ex.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return await FailAsync(ExitCodes.Cancelled, "Cancelled while starting; everything started so far was stopped.");
        }

        await _cli.Error.WriteLineAsync(
            $"Up in {clock.Elapsed.TotalSeconds:0.0} s: command API {stack.CommandApiUrl}, Waylay broker {stack.Waylay.DataUrl}, " +
            $"MQTT {stack.Broker.Address}, IoT Data {stack.IotData.BaseAddress}, local AWS {stack.Access.EndpointUrl}");
        var running = Stopwatch.StartNew();
        var interrupted = false;
        try
        {
            if (Started is { } started)
            {
                await started(stack);
            }

            await ShowAsync(stack, options, EndOfRun(stack, options, cancellationToken), running, cancellationToken);
            if (options.Bounded)
            {
                await stack.StopPublishingAsync(cancellationToken);
                await DrainAsync(stack, options, running, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            interrupted = true;
            await DrainAfterInterruptAsync(stack, options, running);
        }

        StackSnapshot final;
        try
        {
            using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            final = await StackSnapshot.TakeAsync(stack, running.Elapsed, reading.Token);
            if (!interrupted && BeforeStop is { } inspect)
            {
                await inspect(stack);
            }
        }
        finally
        {
            using var stopping = new CancellationTokenSource(interrupted ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(30));
            await stack.StopAsync(stopping.Token);
        }

        foreach (var line in StackView.Summary(final))
        {
            await _cli.Out.WriteLineAsync(line);
        }

        await _cli.Out.FlushAsync();
        if (interrupted)
        {
            await _cli.Error.WriteLineAsync(
                $"Interrupted: the counts are those after a drain of at most {InterruptDrain.TotalSeconds:0} s; every function process and moto were stopped.");
            return ExitCodes.Cancelled;
        }

        if (final.Telemetry.Lost > 0 || final.Commands.Lost > 0)
        {
            await _cli.Error.WriteLineAsync($"Messages were lost (see {logPath}).");
            return ExitCodes.FunctionFailed;
        }

        return ExitCodes.Success;
    }

    private static Task EndOfRun(LocalStack stack, UpOptions options, CancellationToken cancellationToken)
    {
        var ends = new List<Task>();
        if (options.MessagesPerDevice is not null)
        {
            ends.Add(stack.Fleet.Completion);
        }

        if (options.Duration is { } duration)
        {
            ends.Add(Task.Delay(duration, cancellationToken));
        }

        return ends.Count == 0 ? Task.Delay(Timeout.Infinite, cancellationToken) : Task.WhenAny(ends).Unwrap();
    }

    /// <summary>Refreshes the view until <paramref name="end"/> completes.</summary>
    private async Task ShowAsync(LocalStack stack, UpOptions options, Task end, Stopwatch running, CancellationToken cancellationToken)
    {
        var header = options.Bounded
            ? "Queueing local stack: bounded run (Ctrl+C to stop)"
            : "Queueing local stack: devices -> IoT rule -> IngestQueue -> Ingest -> Waylay -> rule -> command API -> CommandQueue -> publisher -> devices (Ctrl+C to stop)";
        if (options.View == UpView.Live)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(_cli.Out) });
            var first = await StackSnapshot.TakeAsync(stack, running.Elapsed, cancellationToken);
            await console.Live(StackView.Render(first, header)).AutoClear(false).StartAsync(async live =>
            {
                while (!end.IsCompleted)
                {
                    await Task.WhenAny(end, Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken));
                    cancellationToken.ThrowIfCancellationRequested();
                    live.UpdateTarget(StackView.Render(await StackSnapshot.TakeAsync(stack, running.Elapsed, cancellationToken), header));
                }
            });
        }
        else
        {
            await _cli.Error.WriteLineAsync(header);
            while (!end.IsCompleted)
            {
                await Task.WhenAny(end, Task.Delay(options.StatusInterval, cancellationToken));
                cancellationToken.ThrowIfCancellationRequested();
                await _cli.Error.WriteLineAsync(StackView.StatusLine(await StackSnapshot.TakeAsync(stack, running.Elapsed, cancellationToken)));
            }
        }

        await end;
    }

    /// <summary>Ctrl+C: the devices stop, and what is in flight gets a short drain, so the books show what was
    /// really lost rather than what was still moving.</summary>
    private async Task DrainAfterInterruptAsync(LocalStack stack, UpOptions options, Stopwatch running)
    {
        using var drain = new CancellationTokenSource(InterruptDrain);
        try
        {
            await stack.StopPublishingAsync(drain.Token);
            await DrainAsync(stack, options with { DrainTimeout = InterruptDrain }, running, drain.Token);
        }
        catch (OperationCanceledException) when (drain.IsCancellationRequested)
        {
            await _cli.Error.WriteLineAsync($"Stopping with messages still in flight after {InterruptDrain.TotalSeconds:0} s.");
        }
    }

    /// <summary>Waits until every message sent is delivered or dead-lettered and nothing moves, or the drain timeout.</summary>
    private async Task DrainAsync(LocalStack stack, UpOptions options, Stopwatch running, CancellationToken cancellationToken)
    {
        await _cli.Error.WriteLineAsync($"Devices stopped publishing; draining (at most {options.DrainTimeout.TotalSeconds:0} s)...");
        var deadline = Stopwatch.StartNew();
        var settled = 0;
        var lastStatus = TimeSpan.Zero;
        while (deadline.Elapsed < options.DrainTimeout)
        {
            await Task.Delay(DrainPoll, cancellationToken);
            var snapshot = await StackSnapshot.TakeAsync(stack, running.Elapsed, cancellationToken);
            var idle = stack.Rules.WhenIdleAsync(cancellationToken).IsCompleted && stack.Waylay.WhenIdleAsync(cancellationToken).IsCompleted;
            settled = snapshot.Settled && idle ? settled + 1 : 0;
            if (settled >= SettledChecks)
            {
                return;
            }

            if (deadline.Elapsed - lastStatus >= options.StatusInterval)
            {
                lastStatus = deadline.Elapsed;
                await _cli.Error.WriteLineAsync(StackView.StatusLine(snapshot) +
                    $"; in flight: telemetry {snapshot.Telemetry.InFlight}, commands {snapshot.Commands.InFlight}");
            }
        }

        await _cli.Error.WriteLineAsync($"The drain timed out after {options.DrainTimeout.TotalSeconds:0} s with messages still moving.");
    }

    private static int? Classify(Exception ex) => ex switch
    {
        UsageException or TemplateException or Waylay.Rules.TemplateException or Waylay.Plugs.PlugCatalogException or ArgumentException => ExitCodes.Usage,
        FunctionBuildException or LocalAwsException => ExitCodes.Environment,
        FunctionInitException => ExitCodes.FunctionFailed,
        // Node.js missing, a plug that does not load, a port that cannot be bound.
        InvalidOperationException or IOException => ExitCodes.Environment,
        _ => null,
    };

    private async Task<int> FailAsync(int exitCode, string message)
    {
        await _cli.Error.WriteLineAsync(message);
        return exitCode;
    }
}
