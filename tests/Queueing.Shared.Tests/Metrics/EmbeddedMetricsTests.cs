using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Queueing.Shared.Metrics;
using Queueing.Shared.Tests.Support;

namespace Queueing.Shared.Tests.Metrics;

/// <summary>Checks the lines against the CloudWatch Embedded Metric Format specification.</summary>
public sealed class EmbeddedMetricsTests
{
    private static readonly DateTimeOffset Now = new(2025, 11, 28, 10, 0, 0, TimeSpan.Zero);
    private static readonly HashSet<string> CloudWatchUnits = ["Seconds", "Microseconds", "Milliseconds", "Bytes", "Count", "Percent", "None"];
    private readonly FakeTimeProvider _time = new(Now);
    private readonly LogCapture _log = new();

    private EmbeddedMetrics Metrics() => new(_log.Writer, _time, "queueing-ingest");

    [Fact]
    public void Flush_CountsAndLatency_WritesOneValidEmfDocument()
    {
        var metrics = Metrics();
        metrics.Count("Delivered", 3);
        metrics.Count("Delivered", 2);
        metrics.Count("Parked");
        metrics.Milliseconds("WaylayLatency", TimeSpan.FromMilliseconds(12.5));

        metrics.Flush();

        var line = Assert.Single(_log.Documents);
        AssertValidEmf(line);
        var directive = line.GetProperty("_aws").GetProperty("CloudWatchMetrics")[0];
        Assert.Equal(Now.ToUnixTimeMilliseconds(), line.GetProperty("_aws").GetProperty("Timestamp").GetInt64());
        Assert.Equal("Queueing", directive.GetProperty("Namespace").GetString());
        Assert.Equal("FunctionName", Assert.Single(Assert.Single(directive.GetProperty("Dimensions").EnumerateArray()).EnumerateArray()).GetString());
        Assert.Equal("queueing-ingest", line.GetProperty("FunctionName").GetString());
        var definitions = directive.GetProperty("Metrics").EnumerateArray().ToDictionary(m => m.GetProperty("Name").GetString()!, m => m.GetProperty("Unit").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["Delivered"] = "Count", ["Parked"] = "Count", ["WaylayLatency"] = "Milliseconds" }, definitions);
        Assert.Equal(5, line.GetProperty("Delivered").GetDouble());
        Assert.Equal(1, line.GetProperty("Parked").GetDouble());
        Assert.Equal(12.5, line.GetProperty("WaylayLatency").GetDouble());
    }

    [Fact]
    public void Flush_SeveralLatencies_KeepsEverySampleAsAnArray()
    {
        var metrics = Metrics();
        metrics.Milliseconds("WaylayLatency", TimeSpan.FromMilliseconds(10));
        metrics.Milliseconds("WaylayLatency", TimeSpan.FromMilliseconds(30));
        metrics.Milliseconds("WaylayLatency", TimeSpan.FromMilliseconds(20));

        metrics.Flush();

        var line = Assert.Single(_log.Documents);
        AssertValidEmf(line);
        Assert.Equal([10.0, 30.0, 20.0], line.GetProperty("WaylayLatency").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Empty(metrics.Values);
    }

    [Fact]
    public void Values_BeforeFlush_ReportsUnitAndTotal()
    {
        var metrics = Metrics();
        metrics.Count("Delivered", 4);
        metrics.Count("Delivered");
        metrics.Milliseconds("WaylayLatency", TimeSpan.FromMilliseconds(10));
        metrics.Milliseconds("WaylayLatency", TimeSpan.FromMilliseconds(5));

        Assert.Equal(("Count", 5.0), metrics.Values["Delivered"]);
        Assert.Equal(("Milliseconds", 15.0), metrics.Values["WaylayLatency"]);
    }

    [Fact]
    public void Flush_MoreThanTheSpecLimits_SplitsIntoSeveralValidLines()
    {
        var metrics = Metrics();
        for (var i = 0; i < 150; i++)
        {
            metrics.Count($"Metric{i}");
        }

        for (var i = 0; i < 250; i++)
        {
            metrics.Milliseconds("Metric0Latency", TimeSpan.FromMilliseconds(i));
        }

        metrics.Flush();

        var lines = _log.Documents;
        Assert.All(lines, AssertValidEmf);
        var samples = lines.Where(l => l.TryGetProperty("Metric0Latency", out _))
            .SelectMany(l => l.GetProperty("Metric0Latency").ValueKind == JsonValueKind.Array ? l.GetProperty("Metric0Latency").EnumerateArray().Select(v => v.GetDouble()) : [l.GetProperty("Metric0Latency").GetDouble()])
            .ToList();
        Assert.Equal(Enumerable.Range(0, 250).Select(i => (double)i), samples);
        var counted = lines.SelectMany(l => l.GetProperty("_aws").GetProperty("CloudWatchMetrics")[0].GetProperty("Metrics").EnumerateArray())
            .Select(m => m.GetProperty("Name").GetString()).Where(n => n!.StartsWith("Metric", StringComparison.Ordinal) && !n.EndsWith("Latency", StringComparison.Ordinal)).Distinct().Count();
        Assert.Equal(150, counted);
    }

    [Fact]
    public void Flush_NothingRecorded_WritesNothing()
    {
        Metrics().Flush();

        Assert.Empty(_log.Lines);
    }

    [Fact]
    public void Flush_Twice_SecondFlushWritesOnlyNewValues()
    {
        var metrics = Metrics();
        metrics.Count("Delivered", 2);
        metrics.Flush();

        metrics.Count("Delivered", 1);
        metrics.Flush();

        Assert.Equal([2.0, 1.0], _log.Documents.Select(l => l.GetProperty("Delivered").GetDouble()));
    }

    [Fact]
    public void Milliseconds_NotFinite_IsIgnored()
    {
        var metrics = Metrics();
        metrics.Milliseconds("Latency", TimeSpan.MaxValue);
        metrics.Count("Delivered");

        metrics.Flush();

        var line = Assert.Single(_log.Documents);
        AssertValidEmf(line);
    }

    [Theory]
    [InlineData("FunctionName")]
    [InlineData("_aws")]
    [InlineData("")]
    public void Count_ReservedName_Throws(string name)
    {
        Assert.Throws<ArgumentException>(() => Metrics().Count(name));
    }

    [Fact]
    public void Count_ConcurrentCallers_AreAllSummed()
    {
        var metrics = Metrics();

        Parallel.For(0, 1000, _ => metrics.Count("Delivered"));
        metrics.Flush();

        Assert.Equal(1000, Assert.Single(_log.Documents).GetProperty("Delivered").GetDouble());
    }

    /// <summary>
    /// The rules of the EMF specification: root "_aws" with an integer Timestamp (ms) and CloudWatchMetrics
    /// directives, each with a Namespace (1-1024 chars), Dimensions (an array of DimensionSets of at most 30
    /// string keys, each a string member of the root) and Metrics (at most 100 definitions, each Name a root
    /// member holding a number or an array of at most 100 numbers, Unit a CloudWatch unit).
    /// </summary>
    private static void AssertValidEmf(JsonElement root)
    {
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        var aws = root.GetProperty("_aws");
        Assert.True(aws.GetProperty("Timestamp").TryGetInt64(out var timestamp));
        Assert.True(timestamp > 0);
        var directives = aws.GetProperty("CloudWatchMetrics");
        Assert.Equal(JsonValueKind.Array, directives.ValueKind);
        Assert.NotEqual(0, directives.GetArrayLength());
        foreach (var directive in directives.EnumerateArray())
        {
            var ns = directive.GetProperty("Namespace").GetString();
            Assert.InRange(ns!.Length, 1, 1024);
            var dimensionSets = directive.GetProperty("Dimensions");
            Assert.NotEqual(0, dimensionSets.GetArrayLength());
            foreach (var set in dimensionSets.EnumerateArray())
            {
                Assert.InRange(set.GetArrayLength(), 0, 30);
                foreach (var key in set.EnumerateArray())
                {
                    var value = root.GetProperty(key.GetString()!);
                    Assert.Equal(JsonValueKind.String, value.ValueKind);
                    Assert.InRange(value.GetString()!.Length, 1, 1024);
                }
            }

            var definitions = directive.GetProperty("Metrics");
            Assert.InRange(definitions.GetArrayLength(), 1, 100);
            foreach (var definition in definitions.EnumerateArray())
            {
                Assert.Contains(definition.GetProperty("Unit").GetString()!, CloudWatchUnits);
                var target = root.GetProperty(definition.GetProperty("Name").GetString()!);
                if (target.ValueKind == JsonValueKind.Array)
                {
                    Assert.InRange(target.GetArrayLength(), 1, 100);
                    Assert.All(target.EnumerateArray(), v => Assert.Equal(JsonValueKind.Number, v.ValueKind));
                }
                else
                {
                    Assert.Equal(JsonValueKind.Number, target.ValueKind);
                }
            }
        }

        var names = root.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
    }
}
