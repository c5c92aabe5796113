using System.Text;
using Microsoft.AspNetCore.Http;
using Queueing.Redrive.Tests.Support;
using Queueing.Testing;

namespace Queueing.Redrive.Tests.Commands;

/// <summary>Usage errors: one clear line on stderr, exit code 2, nothing done.</summary>
public sealed class ErrorTests(MotoServer moto) : IClassFixture<MotoServer>
{
    private readonly CliRunner _cli = new(moto);

    [Theory]
    [InlineData("peek")]
    [InlineData("redrive")]
    [InlineData("export")]
    [InlineData("purge")]
    public async Task Command_UnknownQueue_SaysSoAndExits2(string command)
    {
        string[] extra = command == "export" ? ["--out", "/tmp/never-written.jsonl"] : [];

        var result = await _cli.RunAsync([command, "no-such-queue-" + Guid.NewGuid().ToString("N")[..8], .. extra]);

        Assert.Equal(2, result.ExitCode);
        AssertOneLineError(result, "does not exist");
    }

    [Fact]
    public async Task Redrive_QueueThatIsNoDeadLetterQueue_SaysSoAndExits2()
    {
        using var sqs = moto.CreateSqs();
        var scenario = await Scenario.IngestAsync(sqs);

        var result = await _cli.RunAsync("redrive", scenario.Queues.SourceName);

        Assert.Equal(2, result.ExitCode);
        AssertOneLineError(result, "is not a dead-letter queue");
        Assert.Equal(6, await DeadLetterFiller.CountAsync(sqs, scenario.Queues.DlqUrl));
    }

    [Fact]
    public async Task Peek_QueueThatIsNoDeadLetterQueueWithAnyQueue_ReadsIt()
    {
        using var sqs = moto.CreateSqs();
        var errors = (await sqs.CreateQueueAsync(Scenario.NewStack() + "-TelemetryRuleErrors")).QueueUrl;
        // What an IoT rule's error action writes when its SQS action fails.
        var report = "{\"ruleName\":\"TelemetryRule\",\"topic\":\"devices/lamp-7/telemetry\",\"cloudwatchTraceId\":\"7e146a2c-95b5-6caf-98b9-50e3969734c7\"," +
            "\"clientId\":\"lamp-7\",\"base64OriginalPayload\":\"eyJsaWdodFZhbHVlIjo0MTJ9\",\"failures\":[{\"failedAction\":\"SqsAction\"," +
            "\"failedResource\":\"IngestQueue\",\"errorMessage\":\"Failed to send message to SQS queue: AccessDenied\"}]}";
        await sqs.SendMessageAsync(errors, report);

        var refused = await _cli.RunAsync("peek", errors);
        var result = await _cli.RunAsync("peek", errors, "--any-queue", "--json");

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--any-queue", refused.Error);
        Assert.True(result.ExitCode == 0, result.ToString());
        var line = Assert.Single(result.JsonLines());
        Assert.Equal("rule-error", line.GetProperty("kind").GetString());
        Assert.Equal("SqsAction: Failed to send message to SQS queue: AccessDenied", line.GetProperty("error").GetString());
        Assert.Equal("lamp-7", line.GetProperty("device").GetString());
    }

    [Fact]
    public async Task Peek_BadCredentials_SaysAwsRejectedThemAndExits2()
    {
        var requests = 0;
        string? authorization = null;
        // What SQS answers (JSON protocol) to a request signed with an unknown access key.
        await using var sqs = await LoopbackHttpServer.StartAsync(async context =>
        {
            Interlocked.Increment(ref requests);
            authorization = context.Request.Headers.Authorization;
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.ContentType = "application/x-amz-json-1.0";
            context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
            context.Response.Headers["x-amzn-query-error"] = "InvalidClientTokenId;Sender";
            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(
                "{\"__type\":\"com.amazon.coral.service#InvalidClientTokenId\",\"message\":\"The security token included in the request is invalid.\"}"));
        });

        var result = await _cli.RunAgainstAsync(sqs.BaseAddress, "peek", "IngestDLQ");

        Assert.Equal(2, result.ExitCode);
        AssertOneLineError(result, "AWS rejected the credentials (InvalidClientTokenId)");
        Assert.StartsWith("AWS4-HMAC-SHA256 ", authorization);
        Assert.Equal(1, requests);
    }

    [Fact]
    public async Task Redrive_ServerOnMoto_SaysTheEndpointDoesNotSupportServerSideMovesAndExits2()
    {
        using var sqs = moto.CreateSqs();
        var scenario = await Scenario.IngestAsync(sqs);

        var start = await _cli.RunAsync("redrive", scenario.Queues.DlqName, "--server");
        var status = await _cli.RunAsync("redrive", "status", scenario.Queues.DlqName);
        var cancel = await _cli.RunAsync("redrive", "cancel", "AQEBhandle");

        Assert.Equal(2, start.ExitCode);
        AssertOneLineError(start, "does not support server-side message moves");
        Assert.Contains("StartMessageMoveTask", start.Error);
        Assert.Equal(2, status.ExitCode);
        AssertOneLineError(status, "does not support server-side message moves");
        Assert.Equal(2, cancel.ExitCode);
        AssertOneLineError(cancel, "CancelMessageMoveTask");
        Assert.Equal(6, await DeadLetterFiller.CountAsync(sqs, scenario.Queues.DlqUrl));
    }

    [Fact]
    public async Task Redrive_ServerWithFilter_RefusesBeforeCallingAws()
    {
        var result = await _cli.RunAsync("redrive", "AnyDLQ", "--server", "--kind", "exhausted");

        Assert.Equal(2, result.ExitCode);
        AssertOneLineError(result, "--server moves every message");
    }

    [Fact]
    public async Task Purge_WithoutYes_RefusesAndKeepsEveryMessage_WithYes_EmptiesTheQueue()
    {
        using var sqs = moto.CreateSqs();
        var scenario = await Scenario.IngestAsync(sqs);

        var refused = await _cli.RunAsync("purge", scenario.Queues.DlqName);

        Assert.Equal(2, refused.ExitCode);
        AssertOneLineError(refused, "add --yes");
        Assert.Contains("all 6 message(s)", refused.Error);
        Assert.Equal(6, await DeadLetterFiller.CountAsync(sqs, scenario.Queues.DlqUrl));

        var purged = await _cli.RunAsync("purge", scenario.Queues.DlqName, "--yes");

        Assert.True(purged.ExitCode == 0, purged.ToString());
        Assert.Equal(0, await DeadLetterFiller.CountAsync(sqs, scenario.Queues.DlqUrl));
    }

    [Theory]
    [InlineData("peek")]
    [InlineData("peek", "q", "--max", "0")]
    [InlineData("peek", "q", "--max", "x")]
    [InlineData("peek", "q", "--max", "99999999999")]
    [InlineData("peek", "q", "--visibility-timeout", "x")]
    [InlineData("peek", "q", "--kind", "broken")]
    [InlineData("peek", "q", "--since", "yesterday-ish")]
    [InlineData("redrive", "q", "--rate", "fast")]
    [InlineData("peek", "q", "--visibility-timeout", "99999")]
    [InlineData("frobnicate")]
    [InlineData("export", "q")]
    public async Task Command_BadArguments_Exit2WithoutAStackTrace(params string[] args)
    {
        var result = await _cli.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Fact]
    public async Task Peek_AmbiguousShortName_ListsTheCandidates()
    {
        using var sqs = moto.CreateSqs();
        await sqs.CreateQueueAsync(Scenario.NewStack() + "-TwinDLQ");
        await sqs.CreateQueueAsync(Scenario.NewStack() + "-TwinDLQ");

        var result = await _cli.RunAsync("peek", "TwinDLQ");

        Assert.Equal(2, result.ExitCode);
        AssertOneLineError(result, "matches several queues");
    }

    private static void AssertOneLineError(CliResult result, string expected)
    {
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var error = Assert.Single(lines, l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.Contains(expected, error);
        Assert.DoesNotContain("   at ", result.Error);
        Assert.DoesNotContain("Exception", result.Error);
    }
}
