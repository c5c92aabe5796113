using System.Diagnostics;
using Queueing.Emulators.Template;
using Queueing.Local.Aws;
using Queueing.Local.Cli;
using Queueing.Local.Functions;
using Queueing.Local.Processes;
using Spectre.Console;

namespace Queueing.Local.Up;

/// <summary>
/// <c>up</c>: starts the <see cref="EmulatedStack"/>, shows it live, and for a bounded run (<c>--messages</c>,
/// <c>--duration</c>) stops the devices, waits until every message is accounted for, prints the summary and exits
/// non-zero if anything was lost. Ctrl+C (the tool's children run in sessions of their own, so only the tool gets it)
/// drains, prints the books and stops every child; a child the stack depends on exiting mid-run does the same with
/// its name and exit code 3.
/// </summary>
internal sealed class UpRun
{
    private static readonly TimeSpan DrainPoll = TimeSpan.FromMilliseconds(500);

    /// <summary>After Ctrl+C: how long what is in flight may finish before everything stops (within the command
    /// line's process termination timeout).</summary>
    public static readonly TimeSpan InterruptDrain = TimeSpan.FromSeconds(10);
    private const int SettledChecks = 3;
    private readonly CliContext _cli;

    public UpRun(CliContext cli) => _cli = cli;

    /// <summary>Called with the stack once everything is up (tests look inside, or interrupt).</summary>
    public Func<EmulatedStack, Task>? Started { get; init; }

    /// <summary>Called with the running stack after a bounded run drained, before it stops (tests look inside).</summary>
    public Func<EmulatedStack, Task>? BeforeStop { get; init; }

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

        EmulatedStack stack;
        try
        {
            stack = await EmulatedStack.StartAsync(StackOptions(options), log, line => _cli.Error.WriteLine(line), cancellationToken);
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
        foreach (var line in OutsideClients.Lines(stack, options.Secrets))
        {
            await _cli.Error.WriteLineAsync(line);
        }

        var running = Stopwatch.StartNew();
        var interrupted = false;
        DependencyLoss? loss = null;
        // A dependency that exits (moto or Node killed) ends whatever the run waits for, with its name.
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stack.Dependencies.LostToken);
        try
        {
            if (Started is { } started)
            {
                await started(stack);
            }

            await ShowAsync(stack, options, EndOfRun(stack, options, run.Token), running, run.Token);
            if (options.Bounded)
            {
                await stack.StopPublishingAsync(run.Token);
                await DrainAsync(stack, options, running, run.Token);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && stack.Dependencies.Lost is null)
        {
            interrupted = true;
            loss = await DrainAfterInterruptAsync(stack, options, running);
        }
        catch (Exception ex) when (stack.Dependencies.Lost is not null || LocalAwsFailure.Is(ex))
        {
            // Boundary: a dependency gone mid-run ends the run with its name and the books so far, never a stack trace.
            loss = await LossAsync(stack, ex);
        }

        StackSnapshot final;
        try
        {
            using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            final = await StackSnapshot.TakeAsync(stack, running.Elapsed, reading.Token, queuesMayBeGone: loss is not null);
            if (!interrupted && loss is null && BeforeStop is { } inspect)
            {
                await inspect(stack);
            }
        }
        finally
        {
            using var stopping = new CancellationTokenSource(interrupted || loss is not null ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(30));
            await stack.StopAsync(stopping.Token);
        }

        // With --json stdout carries only the figures; the summary is for the person watching.
        var summary = options.Json ? _cli.Error : _cli.Out;
        foreach (var line in StackView.Summary(final))
        {
            await summary.WriteLineAsync(line);
        }

        if (options.Json)
        {
            await _cli.Out.WriteLineAsync(RunFigures.Json(final, loss is not null ? RunOutcome.DependencyLost : interrupted ? RunOutcome.Interrupted : RunOutcome.Completed));
        }

        await _cli.Out.FlushAsync();
        if (loss is not null)
        {
            await _cli.Error.WriteLineAsync(loss.Line);
            return ExitCodes.Environment;
        }

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

    /// <summary>What ended the run when a call to a dependency failed: the child seen exiting (its exit can be
    /// reaped a moment after a request to it was refused), else the local AWS endpoint that stopped answering.</summary>
    private static async Task<DependencyLoss> LossAsync(EmulatedStack stack, Exception failure) =>
        stack.Dependencies.Lost
        ?? await stack.Dependencies.WaitAsync(TimeSpan.FromSeconds(2))
        ?? new DependencyLoss($"The local AWS ({stack.Access.Endpoint})", $"stopped answering ({failure.GetBaseException().Message})");

    private static Task EndOfRun(EmulatedStack stack, UpOptions options, CancellationToken cancellationToken)
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
    private async Task ShowAsync(EmulatedStack stack, UpOptions options, Task end, Stopwatch running, CancellationToken cancellationToken)
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
    /// really lost rather than what was still moving. Returns the dependency lost during the drain, if one was.</summary>
    private async Task<DependencyLoss?> DrainAfterInterruptAsync(EmulatedStack stack, UpOptions options, Stopwatch running)
    {
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(stack.Dependencies.LostToken);
        drain.CancelAfter(InterruptDrain);
        try
        {
            await stack.StopPublishingAsync(drain.Token);
            await DrainAsync(stack, options with { DrainTimeout = InterruptDrain }, running, drain.Token);
            return null;
        }
        catch (Exception ex) when (stack.Dependencies.Lost is not null || LocalAwsFailure.Is(ex))
        {
            // Boundary: as in the run itself.
            return await LossAsync(stack, ex);
        }
        catch (OperationCanceledException) when (drain.IsCancellationRequested)
        {
            await _cli.Error.WriteLineAsync($"Stopping with messages still in flight after {InterruptDrain.TotalSeconds:0} s.");
            return null;
        }
    }

    /// <summary>Waits until every message sent is delivered or dead-lettered and nothing moves, or the drain timeout.</summary>
    private async Task DrainAsync(EmulatedStack stack, UpOptions options, Stopwatch running, CancellationToken cancellationToken)
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

    /// <summary>What the stack runs, from the command line: the template found (or a usage error), the tool's clock
    /// and environment.</summary>
    private EmulatedStackOptions StackOptions(UpOptions options) => new()
    {
        TemplatePath = TemplateLocator.Find(options.TemplatePath, _cli.CurrentDirectory),
        ParameterOverrides = options.ParameterOverrides,
        AwsEndpoint = options.AwsEndpoint,
        NoBuild = options.NoBuild,
        Configuration = options.Configuration,
        Secrets = options.Secrets,
        Devices = options.Devices,
        LegacyDevices = options.LegacyDevices,
        Interval = options.Interval,
        MessagesPerDevice = options.MessagesPerDevice,
        Concurrency = options.Concurrency,
        WaylayFaults = options.WaylayFaults,
        Acks = options.Acks,
        RetryDelay = options.RetryDelay,
        HostEnvironment = _cli.HostEnvironment,
        Time = _cli.Time,
    };

    private static int? Classify(Exception ex) => ex switch
    {
        UsageException or StackSetupException or TemplateException or Queueing.Emulators.Waylay.Rules.WaylayTemplateException or Queueing.Emulators.Waylay.Plugs.PlugCatalogException or ArgumentException => ExitCodes.Usage,
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
