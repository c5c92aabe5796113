using Spectre.Console;

namespace Queueing.Redrive.Output;

/// <summary>A Spectre progress bar on stderr for a scan of roughly <c>expected</c> messages (the queue's depth).</summary>
internal static class ProgressBar
{
    public static async Task<T> RunAsync<T>(IAnsiConsole console, string description, long expected, Func<Action<int>, Task<T>> work)
    {
        return await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(description), maxValue: Math.Max(1, expected));
                var result = await work(count =>
                {
                    // The depth is approximate and messages arrive during the scan: grow the bar instead of overflowing.
                    if (task.Value + count > task.MaxValue)
                    {
                        task.MaxValue = task.Value + count;
                    }

                    task.Increment(count);
                });
                task.Value = task.MaxValue;
                task.StopTask();
                return result;
            });
    }
}
