using System.Text.Json;
using Queueing.Shared.Logging;

namespace Queueing.Shared.Metrics;

/// <summary>
/// Counts and latencies for one invocation, flushed as CloudWatch Embedded Metric Format lines
/// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
/// Counts are summed; latencies keep every sample (an EMF value array), so CloudWatch computes percentiles over
/// the real calls instead of over one sum. Create one per invocation; it is not shared across invocations.
/// </summary>
public sealed class EmbeddedMetrics(JsonLogWriter output, TimeProvider time, string functionName)
{
    public const string Namespace = "Queueing";
    private const string DimensionName = "FunctionName";
    // The EMF spec: at most 100 MetricDefinitions per directive and 100 values per metric array.
    private const int MaxMetricsPerLine = 100;
    private const int MaxValuesPerMetric = 100;

    private readonly JsonLogWriter _output = output;
    private readonly TimeProvider _time = time;
    private readonly string _functionName = functionName;
    private readonly Dictionary<string, Metric> _metrics = new(StringComparer.Ordinal);

    public void Count(string name, int count = 1) => Add(name, "Count", count, sample: false);

    public void Milliseconds(string name, TimeSpan elapsed) => Add(name, "Milliseconds", elapsed.TotalMilliseconds, sample: true);

    /// <summary>Per metric: its unit and the total of what was recorded since the last flush.</summary>
    public IReadOnlyDictionary<string, (string Unit, double Value)> Values
    {
        get
        {
            lock (_metrics)
            {
                return _metrics.ToDictionary(m => m.Key, m => (m.Value.Unit, m.Value.Total), StringComparer.Ordinal);
            }
        }
    }

    private void Add(string name, string unit, double value, bool sample)
    {
        // The metric values live next to "_aws" and the dimension at the root of the line: a metric of the same
        // name would be a duplicate key that CloudWatch cannot extract.
        if (name is "_aws" or DimensionName || string.IsNullOrEmpty(name))
        {
            throw new ArgumentException($"'{name}' is not a usable metric name.", nameof(name));
        }

        // NaN or infinity cannot be written as a JSON number; a metric is never worth failing a request over.
        if (!double.IsFinite(value))
        {
            return;
        }

        lock (_metrics)
        {
            if (!_metrics.TryGetValue(name, out var metric))
            {
                metric = new Metric(unit);
                _metrics[name] = metric;
            }

            metric.Total += value;
            if (sample)
            {
                metric.Samples.Add(value);
            }
        }
    }

    public void Flush()
    {
        List<(string Name, string Unit, List<double> Values)> pending;
        lock (_metrics)
        {
            if (_metrics.Count == 0)
            {
                return;
            }

            pending = [.. _metrics.Select(m => (m.Key, m.Value.Unit, m.Value.Samples.Count > 0 ? m.Value.Samples : [m.Value.Total]))];
            _metrics.Clear();
        }

        var timestamp = _time.GetUtcNow().ToUnixTimeMilliseconds();
        while (pending.Count > 0)
        {
            // One line carries up to 100 metrics with up to 100 values each; what is left goes on the next line.
            var line = pending.Take(MaxMetricsPerLine)
                .Select(m => (m.Name, m.Unit, Values: m.Values.Take(MaxValuesPerMetric).ToArray()))
                .ToArray();
            pending = [.. pending.Take(MaxMetricsPerLine)
                .Select(m => (m.Name, m.Unit, Values: m.Values.Skip(MaxValuesPerMetric).ToList()))
                .Where(m => m.Values.Count > 0)
                .Concat(pending.Skip(MaxMetricsPerLine))];
            WriteLine(timestamp, line);
        }
    }

    private void WriteLine(long timestamp, (string Name, string Unit, double[] Values)[] metrics)
    {
        var state = (Timestamp: timestamp, Function: _functionName, Metrics: metrics);
        _output.WriteLine(state, static (writer, s) =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("_aws");
            writer.WriteNumber("Timestamp", s.Timestamp);
            writer.WriteStartArray("CloudWatchMetrics");
            writer.WriteStartObject();
            writer.WriteString("Namespace", Namespace);
            writer.WriteStartArray("Dimensions");
            writer.WriteStartArray();
            writer.WriteStringValue(DimensionName);
            writer.WriteEndArray();
            writer.WriteEndArray();
            writer.WriteStartArray("Metrics");
            foreach (var (name, unit, _) in s.Metrics)
            {
                writer.WriteStartObject();
                writer.WriteString("Name", name);
                writer.WriteString("Unit", unit);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteString(DimensionName, s.Function);
            foreach (var (name, _, values) in s.Metrics)
            {
                WriteValues(writer, name, values);
            }

            writer.WriteEndObject();
        });
    }

    private static void WriteValues(Utf8JsonWriter writer, string name, double[] values)
    {
        if (values.Length == 1)
        {
            writer.WriteNumber(name, values[0]);
            return;
        }

        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteNumberValue(value);
        }

        writer.WriteEndArray();
    }

    private sealed class Metric(string unit)
    {
        public string Unit { get; } = unit;
        public double Total { get; set; }
        public List<double> Samples { get; } = [];
    }
}
