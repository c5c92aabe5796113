using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Queueing.Shared.Logging;
using Queueing.Shared.Runtime;
using Queueing.Shared.Tests.Support;

namespace Queueing.Shared.Tests.Logging;

public sealed partial class JsonLoggerTests
{
    private static readonly DateTimeOffset Now = new(2025, 11, 28, 10, 0, 0, 123, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly LogCapture _log = new();

    private ILogger Logger(LogLevel minimum = LogLevel.Information) =>
        new JsonLoggerFactory(_log.Writer, minimum, _time).CreateLogger("Queueing.Ingest.Batch");

    [Fact]
    public void Log_OutsideInvocation_WritesOneJsonObjectWithStandardAndTemplateFields()
    {
        LogDelivered(Logger(), "lamp-1", 3, TimeSpan.FromMilliseconds(12.5), true);

        var line = Assert.Single(_log.Documents);
        Assert.Equal("2025-11-28T10:00:00.1230000Z", line.GetProperty("timestamp").GetString());
        Assert.Equal("INFO", line.GetProperty("level").GetString());
        Assert.Equal("Queueing.Ingest.Batch", line.GetProperty("category").GetString());
        Assert.Equal("Delivered 3 event(s) of lamp-1 in 00:00:00.0125000 (True)", line.GetProperty("message").GetString());
        Assert.Equal("lamp-1", line.GetProperty("deviceId").GetString());
        Assert.Equal(3, line.GetProperty("eventCount").GetInt32());
        Assert.Equal(12.5, line.GetProperty("elapsed").GetDouble());
        Assert.True(line.GetProperty("firstAttempt").GetBoolean());
        Assert.False(line.TryGetProperty("function_request_id", out _));
        Assert.False(line.TryGetProperty("{OriginalFormat}", out _));
    }

    [Fact]
    public void Log_InsideInvocation_CarriesRequestAndTraceId()
    {
        var logger = Logger();
        var invocation = new Invocation("req-42", Now.AddSeconds(30), "arn", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", null, null, "{}"u8.ToArray());

        // What InvocationLoop does around each invocation (the loop itself is covered in FunctionHostTests).
        InvocationContext.CurrentHolder.Value = new InvocationContext(invocation, "f", _time, new JsonLogWriter(Stream.Null));
        try
        {
            logger.LogInformation("inside");
        }
        finally
        {
            InvocationContext.CurrentHolder.Value = null;
        }

        logger.LogInformation("after");

        var lines = _log.Documents;
        // Powertools' keys; the trace id is the header's Root, the same on every hop (the Parent is per segment).
        Assert.Equal("req-42", lines[0].GetProperty("function_request_id").GetString());
        Assert.Equal("1-5759e988-bd862e3fe1be46a994272793", lines[0].GetProperty("xray_trace_id").GetString());
        Assert.False(lines[0].TryGetProperty("requestId", out _));
        Assert.False(lines[0].TryGetProperty("traceId", out _));
        Assert.False(lines[1].TryGetProperty("function_request_id", out _));
        Assert.False(lines[1].TryGetProperty("xray_trace_id", out _));
    }

    [Fact]
    public void Log_WithException_WritesExceptionTextAndErrorLevel()
    {
        Exception error;
        try
        {
            throw new InvalidOperationException("broker down");
        }
        catch (InvalidOperationException thrown)
        {
            error = thrown;
        }

        LogFailed(Logger(), error, "lamp-1");

        var line = Assert.Single(_log.Documents);
        Assert.Equal("ERROR", line.GetProperty("level").GetString());
        Assert.StartsWith("System.InvalidOperationException: broker down", line.GetProperty("exception").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Log_BelowMinimumLevel_WritesNothing()
    {
        var logger = Logger(LogLevel.Warning);

        logger.LogDebug("debug");
        logger.LogInformation("info");
        logger.LogWarning("warn");
        logger.LogError("error");

        Assert.Equal(["WARN", "ERROR"], _log.Documents.Select(d => d.GetProperty("level").GetString()));
        Assert.False(logger.IsEnabled(LogLevel.Information));
        Assert.False(logger.IsEnabled(LogLevel.None));
    }

    [Fact]
    public void Log_FieldNamedLikeStandardProperty_DoesNotDuplicateTheKey()
    {
        LogShadowing(Logger(), "the payload's message", "custom");

        var line = Assert.Single(_log.Lines);
        using var document = JsonDocument.Parse(line);
        var names = document.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal("Got the payload's message at custom", document.RootElement.GetProperty("message").GetString());
        Assert.Equal("the payload's message", document.RootElement.GetProperty("fieldMessage").GetString());
        Assert.Equal("custom", document.RootElement.GetProperty("fieldLevel").GetString());
        Assert.Equal("INFO", document.RootElement.GetProperty("level").GetString());
    }

    [Fact]
    public void Log_ControlCharactersAndQuotes_StaysOneValidLine()
    {
        Logger().LogInformation("Body {Body}", "line1\nline2\r\t\"quoted\" \u0000 é <b> \uD800");

        var line = Assert.Single(_log.Lines);
        using var document = JsonDocument.Parse(line);
        Assert.Equal("line1\nline2\r\t\"quoted\" \u0000 é <b> \uFFFD", document.RootElement.GetProperty("body").GetString());
        // Readable in CloudWatch: accents and markup are not \u-escaped.
        Assert.Contains("é <b>", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Log_ValuesOfManyTypes_WritesNumbersAsNumbers()
    {
        Logger().LogInformation("{A} {B} {C} {D} {E} {F} {G} {H}", 1.5f, 7UL, (short)3, double.NaN, new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)), LogLevel.Warning, (object?)null, new Uri("https://x.test/a"));

        var line = Assert.Single(_log.Documents);
        Assert.Equal(1.5, line.GetProperty("a").GetDouble());
        Assert.Equal(7UL, line.GetProperty("b").GetUInt64());
        Assert.Equal(3, line.GetProperty("c").GetInt16());
        Assert.Equal("NaN", line.GetProperty("d").GetString());
        Assert.Equal("2025-01-02T01:04:05.0000000Z", line.GetProperty("e").GetString());
        Assert.Equal("Warning", line.GetProperty("f").GetString());
        Assert.Equal(JsonValueKind.Null, line.GetProperty("g").ValueKind);
        Assert.Equal("https://x.test/a", line.GetProperty("h").GetString());
    }

    [Fact]
    public void Log_ConcurrentWriters_NeverInterleaveLines()
    {
        const int writers = 8, perWriter = 400;
        var factory = new JsonLoggerFactory(_log.Writer, LogLevel.Information, _time);
        var payload = new string('x', 2000);

        Parallel.For(0, writers, new ParallelOptions { MaxDegreeOfParallelism = writers }, w =>
        {
            var logger = factory.CreateLogger($"writer-{w}");
            for (var i = 0; i < perWriter; i++)
            {
                logger.LogInformation("{Writer} {Index} {Payload}", w, i, payload);
            }
        });

        var lines = _log.Documents;
        Assert.Equal(writers * perWriter, lines.Count);
        Assert.Equal(writers * perWriter, lines.Select(l => (l.GetProperty("writer").GetInt32(), l.GetProperty("index").GetInt32())).Distinct().Count());
        Assert.All(lines, l => Assert.Equal(payload, l.GetProperty("payload").GetString()));
    }

    [Fact]
    public void AddProvider_Always_IsRefused()
    {
        using var factory = new JsonLoggerFactory(_log.Writer, LogLevel.Information, _time);

        Assert.Throws<NotSupportedException>(() => factory.AddProvider(null!));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivered {EventCount} event(s) of {DeviceId} in {Elapsed} ({FirstAttempt})")]
    private static partial void LogDelivered(ILogger logger, string deviceId, int eventCount, TimeSpan elapsed, bool firstAttempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivery failed for {DeviceId}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string deviceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Got {Message} at {Level}")]
    private static partial void LogShadowing(ILogger logger, string message, string level);
}
