using System.Text.Json;
using System.Text.RegularExpressions;
using Queueing.Template.Tests.Support;
using Queueing.Testing;

namespace Queueing.Template.Tests;

/// <summary>
/// The operations dashboard (<c>OperationsDashboard</c>): its body is the JSON CloudWatch reads, every metric it shows
/// exists (a metric the functions emit, or an AWS metric of a resource of this stack), and it shows every stage.
/// A dashboard naming a metric nobody emits is an empty graph an operator trusts at 3 a.m.
/// </summary>
public sealed partial class DashboardTests
{
    private const string DashboardId = "OperationsDashboard";

    // The functions' metric-name classes and the function resource whose EMF lines carry them (dimension FunctionName).
    private static readonly (string Function, string File, string Class)[] MetricNameClasses =
    [
        ("IngestFunction", "src/Ingest/IngestMetricNames.cs", "IngestMetricNames"),
        ("CommandApiFunction", "src/Actuate/Api/CommandApiMetricNames.cs", "CommandApiMetricNames"),
        ("CommandPublisherFunction", "src/Actuate/Publisher/CommandPublisherMetricNames.cs", "CommandPublisherMetricNames"),
    ];

    // AWS's own metrics the dashboard may show (AWS/Lambda and AWS/SQS documentation), per namespace.
    private static readonly Dictionary<string, (string Dimension, string[] Metrics)> AwsMetrics = new()
    {
        ["AWS/Lambda"] = ("FunctionName", ["Errors", "Throttles", "Duration", "Invocations", "ConcurrentExecutions"]),
        ["AWS/SQS"] = ("QueueName", ["ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage", "NumberOfMessagesSent"]),
    };

    private readonly ServerlessTemplate _template = ServerlessTemplate.Current;

    [Fact]
    public void Body_EveryWidget_IsAMetricGraphWithFullRows()
    {
        var widgets = Widgets();

        Assert.NotEmpty(widgets);
        foreach (var widget in widgets)
        {
            Assert.Equal("metric", widget.GetProperty("type").GetString());
            var properties = widget.GetProperty("properties");
            Assert.False(string.IsNullOrWhiteSpace(properties.GetProperty("title").GetString()));
            Assert.Equal($"{TemplateEvaluator.Region}", properties.GetProperty("region").GetString());
            foreach (var row in Rows(widget))
            {
                // No "." shorthand: every row names its namespace, metric and dimension, so each can be checked alone.
                Assert.DoesNotContain(".", row.Take(4));
            }
        }
    }

    [Fact]
    public void Body_Widgets_DoNotOverlapOnTheGrid()
    {
        var taken = new HashSet<(int, int)>();
        foreach (var widget in Widgets())
        {
            var (x, y) = (widget.GetProperty("x").GetInt32(), widget.GetProperty("y").GetInt32());
            var (width, height) = (widget.GetProperty("width").GetInt32(), widget.GetProperty("height").GetInt32());
            Assert.InRange(x + width, 1, 24); // CloudWatch's grid is 24 columns wide.
            for (var column = x; column < x + width; column++)
            {
                for (var line = y; line < y + height; line++)
                {
                    Assert.True(taken.Add((column, line)), $"Widget '{widget.GetProperty("properties").GetProperty("title")}' overlaps another at ({column}, {line}).");
                }
            }
        }
    }

    [Fact]
    public void CustomMetrics_EveryOneShown_IsEmittedByTheFunctionItNames()
    {
        var emitted = EmittedMetrics();
        var shown = Rows(Widgets()).Where(r => r[0] == "Queueing").ToList();

        Assert.NotEmpty(shown);
        foreach (var row in shown)
        {
            Assert.Equal("FunctionName", row[2]);
            var function = RefOf(row[3]);
            Assert.Equal(ServerlessTemplate.FunctionType, _template.TypeOf(function));
            Assert.True(emitted.TryGetValue(function, out var names), $"{function} emits no custom metric.");
            Assert.True(names.Contains(row[1]), $"The dashboard shows {row[1]} for {function}, which that function never emits (emitted: {string.Join(", ", names)}).");
        }
    }

    [Fact]
    public void CustomMetrics_EveryOneEmitted_IsShown()
    {
        var shown = Rows(Widgets()).Where(r => r[0] == "Queueing").Select(r => (RefOf(r[3]), r[1])).ToHashSet();

        foreach (var (function, names) in EmittedMetrics())
        {
            foreach (var name in names)
            {
                Assert.True(shown.Contains((function, name)), $"{function} emits {name}, which no dashboard widget shows.");
            }
        }
    }

    [Fact]
    public void AwsMetrics_EveryOneShown_IsADocumentedMetricOfAResourceOfThisStack()
    {
        var shown = Rows(Widgets()).Where(r => r[0] != "Queueing").ToList();

        Assert.NotEmpty(shown);
        foreach (var row in shown)
        {
            Assert.True(AwsMetrics.TryGetValue(row[0], out var known), $"Namespace {row[0]} is not one the dashboard may use.");
            Assert.Equal(known.Dimension, row[2]);
            Assert.Contains(row[1], known.Metrics);
            var resource = row[0] == "AWS/Lambda" ? RefOf(row[3]) : GetAttOf(row[3], "QueueName");
            Assert.Equal(row[0] == "AWS/Lambda" ? ServerlessTemplate.FunctionType : ServerlessTemplate.QueueType, _template.TypeOf(resource));
        }
    }

    [Fact]
    public void Stages_EveryFunctionAndEveryWaitingQueue_HasItsGraphs()
    {
        var rows = Rows(Widgets()).ToList();
        bool Shows(string ns, string metric, string value, string? stat = null) =>
            rows.Any(r => r[0] == ns && r[1] == metric && r[3] == value && (stat is null || r.Stat == stat));

        foreach (var function in _template.ResourcesOfType(ServerlessTemplate.FunctionType))
        {
            foreach (var metric in new[] { "Errors", "Throttles", "Duration" })
            {
                Assert.True(Shows("AWS/Lambda", metric, $"ref:{function}"), $"No {metric} graph for {function}.");
            }
        }

        var deadLetterQueues = _template.ResourcesOfType(ServerlessTemplate.QueueType)
            .Select(_template.DeadLetterQueueOf).OfType<string>().Append("TelemetryRuleErrors").Distinct().ToList();
        Assert.Contains("IngestDLQ", deadLetterQueues);
        Assert.Contains("CommandDLQ", deadLetterQueues);
        foreach (var queue in deadLetterQueues)
        {
            Assert.True(Shows("AWS/SQS", "ApproximateNumberOfMessagesVisible", $"getatt:{queue}.QueueName"), $"No depth graph for {queue}.");
            Assert.True(Shows("AWS/SQS", "ApproximateAgeOfOldestMessage", $"getatt:{queue}.QueueName"), $"No oldest-message graph for {queue}.");
        }

        foreach (var queue in new[] { "IngestQueue", "CommandQueue" })
        {
            Assert.True(Shows("AWS/SQS", "ApproximateAgeOfOldestMessage", $"getatt:{queue}.QueueName"), $"No oldest-message graph for {queue}.");
        }

        foreach (var percentile in new[] { "p50", "p90", "p99" })
        {
            Assert.True(Shows("Queueing", "WaylayLatency", "ref:IngestFunction", percentile), $"No Waylay latency {percentile}.");
        }
    }

    [Fact]
    public void Output_DashboardUrl_OpensThisStacksDashboard()
    {
        var evaluator = Evaluator();
        var url = evaluator.EvaluateString(_template.Outputs["DashboardUrl"]!["Value"]);

        Assert.Equal(
            $"https://{TemplateEvaluator.Region}.console.aws.amazon.com/cloudwatch/home?region={TemplateEvaluator.Region}#dashboards:name=ref:{DashboardId}",
            url);
        Assert.Equal("AWS::CloudWatch::Dashboard", _template.TypeOf(DashboardId));
    }

    /// <summary>
    /// Per function, the metric names it emits: the constants of its metric-name class that the function's code uses
    /// (directly, or through a helper of that class that the code calls). Read from the source, so a constant that is
    /// declared but used by no code does not count as emitted.
    /// </summary>
    private static Dictionary<string, HashSet<string>> EmittedMetrics()
    {
        var sources = Directory.EnumerateFiles(RepositoryRoot.File("src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToDictionary(f => f, File.ReadAllText);
        var result = new Dictionary<string, HashSet<string>>();
        foreach (var (function, file, className) in MetricNameClasses)
        {
            var path = RepositoryRoot.File(file);
            var declaration = sources[path];
            var others = string.Concat(sources.Where(s => s.Key != path).Select(s => s.Value));
            var helpersUsed = HelperMethod().Matches(declaration).Select(m => m.Groups[1].Value)
                .Any(helper => others.Contains($"{className}.{helper}(", StringComparison.Ordinal));
            var helperBody = HelperMethod().Match(declaration) is { Success: true } first ? declaration[first.Index..] : "";
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (Match constant in Constant().Matches(declaration))
            {
                var (field, value) = (constant.Groups[1].Value, constant.Groups[2].Value);
                if (others.Contains($"{className}.{field}", StringComparison.Ordinal)
                    || (helpersUsed && Regex.IsMatch(helperBody, $@"\b{field}\b")))
                {
                    names.Add(value);
                }
            }

            Assert.NotEmpty(names);
            result[function] = names;
        }

        return result;
    }

    private static TemplateEvaluator Evaluator() =>
        new(ServerlessTemplate.Current, new Dictionary<string, string> { ["IotDataEndpoint"] = "abc123-ats.iot.eu-west-1.amazonaws.com" });

    private List<JsonElement> Widgets()
    {
        var body = Evaluator().EvaluateString(_template.Properties(DashboardId)["DashboardBody"]);
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("widgets").EnumerateArray().Select(w => w.Clone()).ToList();
    }

    private static IEnumerable<MetricRow> Rows(JsonElement widget) =>
        widget.GetProperty("properties").GetProperty("metrics").EnumerateArray().Select(row =>
        {
            var parts = row.EnumerateArray().ToList();
            var strings = parts.Where(p => p.ValueKind == JsonValueKind.String).Select(p => p.GetString()!).ToArray();
            Assert.Equal(4, strings.Length); // namespace, metric, one dimension name and value
            var options = parts.FirstOrDefault(p => p.ValueKind == JsonValueKind.Object);
            var stat = options.ValueKind == JsonValueKind.Object && options.TryGetProperty("stat", out var s) ? s.GetString() : null;
            return new MetricRow(strings, stat ?? widget.GetProperty("properties").GetProperty("stat").GetString());
        });

    private static IEnumerable<MetricRow> Rows(IEnumerable<JsonElement> widgets) => widgets.SelectMany(Rows);

    private static string RefOf(string value) =>
        value.StartsWith("ref:", StringComparison.Ordinal) ? value["ref:".Length..] : throw new InvalidDataException($"'{value}' is not a resource's Ref.");

    private static string GetAttOf(string value, string attribute) =>
        value.StartsWith("getatt:", StringComparison.Ordinal) && value.EndsWith($".{attribute}", StringComparison.Ordinal)
            ? value["getatt:".Length..^(attribute.Length + 1)]
            : throw new InvalidDataException($"'{value}' is not a resource's {attribute}.");

    [GeneratedRegex("""const string (\w+) = "([^"]+)";""")]
    private static partial Regex Constant();

    [GeneratedRegex(@"public static string (\w+)\(")]
    private static partial Regex HelperMethod();

    private sealed record MetricRow(string[] Parts, string? Stat)
    {
        public string this[int index] => Parts[index];

        public IEnumerable<string> Take(int count) => Parts.Take(count);
    }
}
