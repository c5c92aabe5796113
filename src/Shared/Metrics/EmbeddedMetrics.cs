using System.Text.Json;
using Queueing.Shared.Logging;

namespace Queueing.Shared.Metrics;

/// <summary>
/// Counts and latencies for one invocation, flushed as one CloudWatch Embedded Metric Format line
/// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
/// Create one per invocation; it is not shared across invocations.
/// </summary>
public sealed class EmbeddedMetrics
{
    public const string Namespace = "Queueing";
    private readonly JsonLogWriter _output;
    private readonly TimeProvider _time;
    private readonly string _functionName;
    private readonly Dictionary<string, (string Unit, double Value)> _values = new(StringComparer.Ordinal);

    public EmbeddedMetrics(JsonLogWriter output, TimeProvider time, string functionName)
    {
        _output = output;
        _time = time;
        _functionName = functionName;
    }

    public void Count(string name, int count = 1) => Add(name, "Count", count);

    public void Milliseconds(string name, TimeSpan elapsed) => Add(name, "Milliseconds", elapsed.TotalMilliseconds);

    public IReadOnlyDictionary<string, (string Unit, double Value)> Values => _values;

    private void Add(string name, string unit, double value)
    {
        lock (_values)
        {
            _values[name] = _values.TryGetValue(name, out var current) ? (unit, current.Value + value) : (unit, value);
        }
    }

    public void Flush()
    {
        KeyValuePair<string, (string Unit, double Value)>[] values;
        lock (_values)
        {
            if (_values.Count == 0)
            {
                return;
            }

            values = [.. _values];
            _values.Clear();
        }

        var state = (Timestamp: _time.GetUtcNow().ToUnixTimeMilliseconds(), Function: _functionName, Values: values);
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
            writer.WriteStringValue("FunctionName");
            writer.WriteEndArray();
            writer.WriteEndArray();
            writer.WriteStartArray("Metrics");
            foreach (var (name, (unit, _)) in s.Values)
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
            writer.WriteString("FunctionName", s.Function);
            foreach (var (name, (_, value)) in s.Values)
            {
                writer.WriteNumber(name, value);
            }

            writer.WriteEndObject();
        });
    }
}
