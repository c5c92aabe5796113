using System.Diagnostics;
using Queueing.Contracts.DeadLetters;
using Queueing.Redrive.Tests.Support;
using Queueing.Testing;

namespace Queueing.Redrive.Tests.Commands;

/// <summary>The promise of the tool: a redrive killed at any point, then run again, loses no message.</summary>
public sealed class InterruptedRedriveTests(MotoServer moto) : IClassFixture<MotoServer>
{
    private const int Parked = 24;
    private const int ByPolicy = 6;

    [Fact]
    public async Task Redrive_KilledMidwayThenRunAgain_LosesNothing()
    {
        using var sqs = moto.CreateSqs();
        var pair = await QueuePair.CreateAsync(sqs, Scenario.NewStack(), fifo: false);
        var filler = new DeadLetterFiller(sqs, pair);
        var originals = Enumerable.Range(0, Parked + ByPolicy).Select(i => TestMessage.Telemetry($"lamp-{i % 4}", 1000 + i)).ToList();
        await filler.ThroughParkerAsync(DeadLetterKind.Exhausted, "Waylay answered 503", [.. originals.Take(Parked)]);
        await filler.ThroughRedrivePolicyAsync([.. originals.Skip(Parked)]);
        Assert.Equal(Parked + ByPolicy, await DeadLetterFiller.CountAsync(sqs, pair.DlqUrl));

        // A real process, reaching moto through AWS_ENDPOINT_URL (not --endpoint-url): slow enough to be killed
        // mid-way, with a short visibility timeout so what it held comes back soon after the kill.
        var child = StartChild("redrive", pair.DlqName, "--rate", "4", "--visibility-timeout", "3");
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (await DeadLetterFiller.CountAsync(sqs, pair.SourceUrl) < 5)
            {
                if (child.HasExited)
                {
                    Assert.Fail("The redrive ended before it could be killed: " + await child.StandardError.ReadToEndAsync());
                }

                Assert.True(DateTime.UtcNow < deadline, "The redrive moved nothing within 60 s.");
                await Task.Delay(50);
            }
        }
        finally
        {
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
            child.Dispose();
        }

        var movedBeforeKill = await DeadLetterFiller.CountAsync(sqs, pair.SourceUrl);
        Assert.True(movedBeforeKill < Parked + ByPolicy, $"The kill came too late to interrupt anything ({movedBeforeKill} moved).");
        await WaitUntilNothingInFlightAsync(sqs, pair.DlqUrl);

        var rerun = await new CliRunner(moto).RunAsync("redrive", pair.DlqName);

        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        var source = await QueueContents.DrainAsync(sqs, pair.SourceUrl);
        var dlq = await QueueContents.DrainAsync(sqs, pair.DlqUrl);
        Assert.True(source.Count + dlq.Count >= originals.Count, $"{source.Count} in the source + {dlq.Count} in the DLQ < {originals.Count} sent");
        var present = source.Concat(dlq).Select(m => m.Body).ToHashSet();
        Assert.All(originals, original => Assert.Contains(original.Body, present));
        Assert.Empty(dlq);
    }

    [Fact]
    public async Task Redrive_CtrlC_StopsReturnsHeldMessagesAtOnceAndLosesNothing()
    {
        using var sqs = moto.CreateSqs();
        var pair = await QueuePair.CreateAsync(sqs, Scenario.NewStack(), fifo: false);
        var originals = Enumerable.Range(0, 20).Select(i => TestMessage.Telemetry($"lamp-{i % 3}", 2000 + i)).ToList();
        await new DeadLetterFiller(sqs, pair).ThroughParkerAsync(DeadLetterKind.Exhausted, "Waylay answered 503", [.. originals]);
        using var ctrlC = new CancellationTokenSource();

        // A long visibility timeout: if held messages came back, it was the release, not the timeout.
        var run = new CliRunner(moto).RunCancellableAsync(ctrlC.Token, "redrive", pair.DlqName, "--rate", "4", "--visibility-timeout", "600");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await DeadLetterFiller.CountAsync(sqs, pair.SourceUrl) < 3)
        {
            if (run.IsCompleted)
            {
                Assert.Fail("The redrive ended before Ctrl+C: " + await run);
            }

            Assert.True(DateTime.UtcNow < deadline, "The redrive moved nothing within 60 s.");
            await Task.Delay(50);
        }

        ctrlC.Cancel();
        var result = await run;

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("Interrupted", result.Error);
        var attributes = (await sqs.GetQueueAttributesAsync(pair.DlqUrl, ["ApproximateNumberOfMessagesNotVisible"])).Attributes;
        Assert.Equal("0", attributes["ApproximateNumberOfMessagesNotVisible"]);
        var source = await QueueContents.DrainAsync(sqs, pair.SourceUrl);
        var dlq = await QueueContents.DrainAsync(sqs, pair.DlqUrl);
        Assert.InRange(source.Count, 3, originals.Count - 1);
        Assert.Equal(originals.Select(o => o.Body).Order(), source.Concat(dlq).Select(m => m.Body).Order());
    }

    private Process StartChild(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "queueing-dlq.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in moto.ClientEnvironment)
        {
            start.Environment[name] = value;
        }

        return Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
    }

    private static async Task WaitUntilNothingInFlightAsync(Amazon.SQS.IAmazonSQS sqs, string url)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var attributes = await sqs.GetQueueAttributesAsync(url, ["ApproximateNumberOfMessagesNotVisible"]);
            if (attributes.Attributes["ApproximateNumberOfMessagesNotVisible"] == "0")
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "Messages the killed redrive held did not come back within 30 s.");
            await Task.Delay(200);
        }
    }
}
