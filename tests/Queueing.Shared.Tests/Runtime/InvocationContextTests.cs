using Microsoft.Extensions.Time.Testing;
using Queueing.Shared.Logging;
using Queueing.Shared.Runtime;

namespace Queueing.Shared.Tests.Runtime;

public sealed class InvocationContextTests
{
    private static readonly DateTimeOffset Now = new(2025, 11, 28, 10, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);

    private InvocationContext Context(TimeSpan left) =>
        new(new Invocation("req-1", Now + left, "arn:aws:lambda:us-east-1:123456789012:function:f", "Root=1-a", null, null, ReadOnlyMemory<byte>.Empty), "f", _time, new JsonLogWriter(Stream.Null));

    [Fact]
    public void RemainingTime_PastDeadline_IsZero()
    {
        var context = Context(TimeSpan.FromSeconds(3));

        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(TimeSpan.Zero, context.RemainingTime);
    }

    [Fact]
    public void CreateBudget_SafetyMargin_FiresThatLongBeforeTheDeadlineOnTheInjectedClock()
    {
        var context = Context(TimeSpan.FromSeconds(30));
        using var budget = context.CreateBudget(TimeSpan.FromSeconds(5), CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(25) - TimeSpan.FromMilliseconds(1));
        Assert.False(budget.IsCancellationRequested);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(budget.IsCancellationRequested);
    }

    [Fact]
    public void CreateBudget_NoTimeLeftAfterMargin_IsAlreadyCancelled()
    {
        var context = Context(TimeSpan.FromSeconds(2));

        using var budget = context.CreateBudget(TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.True(budget.IsCancellationRequested);
    }

    [Fact]
    public void CreateBudget_DeadlineFarAway_DoesNotThrow()
    {
        // A hand-made local event may carry any deadline; a timer cannot hold more than ~49 days.
        using var budget = Context(TimeSpan.FromDays(400)).CreateBudget(TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.False(budget.IsCancellationRequested);
    }

    [Fact]
    public void CreateBudget_Shutdown_CancelsTheBudget()
    {
        using var shutdown = new CancellationTokenSource();
        using var budget = Context(TimeSpan.FromMinutes(1)).CreateBudget(TimeSpan.FromSeconds(5), shutdown.Token);

        shutdown.Cancel();

        Assert.True(budget.IsCancellationRequested);
    }

    [Fact]
    public void CreateBudget_ShutdownAlreadyRequested_IsAlreadyCancelled()
    {
        using var shutdown = new CancellationTokenSource();
        shutdown.Cancel();

        using var budget = Context(TimeSpan.FromMinutes(1)).CreateBudget(TimeSpan.FromSeconds(5), shutdown.Token);

        Assert.True(budget.IsCancellationRequested);
    }

    [Fact]
    public void CreateBudget_Disposed_LeavesNoCallbackOnTheShutdownToken()
    {
        using var shutdown = new CancellationTokenSource();
        var budget = Context(TimeSpan.FromMinutes(1)).CreateBudget(TimeSpan.FromSeconds(5), shutdown.Token);

        budget.Dispose();
        // A callback still registered would cancel the disposed source and throw from here.
        var error = Record.Exception(shutdown.Cancel);

        Assert.Null(error);
    }
}
