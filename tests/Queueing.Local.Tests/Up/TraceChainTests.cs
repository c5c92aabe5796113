using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Queueing.Contracts.Settings;
using Queueing.Emulators.IoT.Data;
using Queueing.Local.Cli;
using Queueing.Local.Tests.IoT;
using Queueing.Local.Tests.Support;
using Queueing.Local.Up;
using Queueing.Testing;

namespace Queueing.Local.Tests.Up;

/// <summary>
/// One trace per message through the local stack, read from the functions' real log lines: an API request's trace
/// reaches the publisher's invocation and the IoT Data publish; a device message's trace is on the Ingest line of
/// its delivery; and the Logs Insights queries of docs/operations.md find those lines by the keys they use.
/// </summary>
[Collection(UpCollection.Name)]
public sealed partial class TraceChainTests
{
    [Fact]
    public async Task ApiRequestAndDeviceMessage_EachKeepsOneTraceAcrossTheHops_AndTheDocumentedQueriesFindThem()
    {
        using var directory = new TempDirectory();
        using var stop = new CancellationTokenSource();
        var error = new CapturedWriter();
        var cli = new CliContext(new CapturedWriter(), error, new StringReader(string.Empty), RepositoryRoot.Path, ProcessEnvironment.Read(), TimeProvider.System);
        CliRun? send = null;
        IReadOnlyList<IotDataPublish> publishes = [];
        Exception? failure = null;
        var run = new UpRun(cli)
        {
            Started = async stack =>
            {
                try
                {
                    var printed = error.ToString();
                    var port = int.Parse(MqttLine().Match(printed).Groups["port"].Value, CultureInfo.InvariantCulture);
                    await using var device = await MqttTestClient.ConnectAsync(port, "lamp-88");
                    await device.SubscribeAsync("devices/lamp-88/commands");
                    await device.PublishAsync("devices/lamp-88/telemetry", """{"lightValue":420}""");
                    // The light rule's command: the telemetry was delivered (and its command published) by now.
                    await device.ReceiveAsync();

                    var line = SendCommandLine().Match(printed);
                    Assert.True(line.Success, printed);
                    send = await CliRun.RunAsync([.. Words(line.Groups["args"].Value)]);
                    await device.ReceiveAsync();
                    publishes = stack.IotData.RecentPublishes;
                }
                catch (Exception ex)
                {
                    failure = ex;
                }
                finally
                {
                    await stop.CancelAsync();
                }
            },
        };

        await run.RunAsync(
            new UpOptions
            {
                NoBuild = true,
                Devices = 1,
                View = UpView.Plain,
                LogFile = directory.File("up.log"),
                // Ingest writes a line per delivered record at Trace (docs/operations.md).
                ParameterOverrides = new Dictionary<string, string> { ["LogLevel"] = "Trace" },
            },
            stop.Token);

        Assert.True(failure is null, failure?.ToString());
        Assert.True(send!.ExitCode == ExitCodes.Success, send.ToString());
        var commandId = JsonDocument.Parse(send.Out).RootElement.GetProperty("commandId").GetString()!;
        var lines = FunctionLines(await File.ReadAllTextAsync(directory.File("up.log")));

        // The command: the API's invocation starts the trace; the publisher's invocation and the IoT publish join it.
        var accepted = Assert.Single(lines, l => l.Source == "CommandApiFunction" && l.Text("commandId") == commandId);
        var trace = accepted.Text("xray_trace_id")!;
        Assert.Matches(TraceId(), trace);
        Assert.NotNull(accepted.Text("function_request_id"));
        var published = Assert.Single(lines, l => l.Source == "CommandPublisherFunction" && l.Text("commandId") == commandId);
        Assert.StartsWith("Published command", published.Text("message"), StringComparison.Ordinal);
        Assert.Equal(trace, published.Text("xray_trace_id"));
        Assert.Equal("lamp-88", published.Text("deviceId"));
        Assert.False(string.IsNullOrEmpty(published.Text("messageId")));
        Assert.NotEqual(accepted.Text("function_request_id"), published.Text("function_request_id"));
        Assert.Contains(publishes, p => p.Topic == "devices/lamp-88/commands" && p.TraceHeader?.Split(';')[0] == "Root=" + trace);

        // The device's records: its telemetry and its ack come through IoT Core, which does not trace, so the Ingest
        // invocation that delivers them starts a trace; the publisher's `published` status carries the command's trace
        // (issue 15; CommandStatusMessageTests reads it off the wire), which the invocation continues only when the
        // status is its batch's first record. Each delivery line and its batch's summary carry the same trace.
        var deliveries = lines.Where(l => l.Source == "IngestFunction" && l.Text("deviceId") == "lamp-88").ToList();
        Assert.InRange(deliveries.Count, 2, 4); // telemetry and published; the ack when it came before the stop
        foreach (var delivery in deliveries)
        {
            Assert.StartsWith("Delivered ", delivery.Text("message"), StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty(delivery.Text("messageId")));
            Assert.Matches(TraceId(), delivery.Text("xray_trace_id")!);
            var summary = Assert.Single(lines, l => l.Source == "IngestFunction" && l.Text("function_request_id") == delivery.Text("function_request_id")
                && l.Text("message")!.StartsWith("Batch of", StringComparison.Ordinal));
            Assert.Equal(delivery.Text("xray_trace_id"), summary.Text("xray_trace_id"));
        }

        var delivered = Assert.Single(deliveries.Where(d => d.Text("xray_trace_id") != trace).Take(1));

        // docs/operations.md: every key a query shows or filters on is one the functions write, and each filter
        // finds the lines above.
        var queries = DocumentedQueries();
        Assert.Equal(["deviceId", "commandId", "xray_trace_id"], queries.Select(q => q.FilterKey));
        foreach (var query in queries)
        {
            Assert.All(query.Fields.Append(query.FilterKey), key => Assert.Contains(lines, l => l.Json.TryGetProperty(key, out _)));
        }

        Assert.Superset(new HashSet<FunctionLine>([accepted, published, .. deliveries]), Filter(lines, queries[0], "lamp-88"));
        Assert.Equal(new HashSet<FunctionLine> { accepted, published }, Filter(lines, queries[1], commandId));
        Assert.Superset(new HashSet<FunctionLine> { accepted, published }, Filter(lines, queries[2], trace));
        Assert.DoesNotContain(delivered, Filter(lines, queries[2], trace));
    }

    private static HashSet<FunctionLine> Filter(IEnumerable<FunctionLine> lines, Query query, string value) =>
        [.. lines.Where(l => l.Text(query.FilterKey) == value)];

    /// <summary>The <c>logs-insights</c> blocks of docs/operations.md: the fields they show and the key they filter on.</summary>
    private static List<Query> DocumentedQueries()
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "operations.md"));
        var queries = new List<Query>();
        foreach (Match block in QueryBlock().Matches(text))
        {
            var body = block.Groups["body"].Value;
            var fields = FieldsLine().Match(body);
            var filter = FilterLine().Match(body);
            Assert.True(fields.Success && filter.Success, body);
            queries.Add(new Query(
                [.. fields.Groups["names"].Value.Split(',', StringSplitOptions.TrimEntries).Where(n => !n.StartsWith('@'))],
                filter.Groups["key"].Value));
        }

        return queries;
    }

    /// <summary>The functions' JSON log lines in the up log (<c>[Function] {...}</c>), EMF lines left out.</summary>
    private static List<FunctionLine> FunctionLines(string log) =>
        [.. log.Split('\n')
            .Select(l => FunctionLinePattern().Match(l.TrimEnd('\r')))
            .Where(m => m.Success)
            .Select(m => (Source: m.Groups["source"].Value, Json: TryParse(m.Groups["json"].Value)))
            .Where(l => l.Json is { } json && json.TryGetProperty("message", out _))
            .Select(l => new FunctionLine(l.Source, l.Json!.Value))];

    private static JsonElement? TryParse(string json)
    {
        try
        {
            return JsonDocument.Parse(json).RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IEnumerable<string> Words(string line) =>
        WordPattern().Matches(line).Select(m => m.Groups["quoted"].Success ? m.Groups["quoted"].Value : m.Groups["plain"].Value);

    private sealed record Query(string[] Fields, string FilterKey);

    private sealed record FunctionLine(string Source, JsonElement Json)
    {
        public string? Text(string key) => Json.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        public bool Equals(FunctionLine? other) => other is not null && Source == other.Source && Json.GetRawText() == other.Json.GetRawText();

        public override int GetHashCode() => HashCode.Combine(Source, Json.GetRawText());
    }

    [GeneratedRegex(@"^1-[0-9a-f]{8}-[0-9a-f]{24}$")]
    private static partial Regex TraceId();

    [GeneratedRegex(@"^\[(?<source>[A-Za-z]+)(#\d+)?\] (?<json>\{.*\})$")]
    private static partial Regex FunctionLinePattern();

    [GeneratedRegex(@"```logs-insights\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex QueryBlock();

    [GeneratedRegex(@"^fields (?<names>.+)$", RegexOptions.Multiline)]
    private static partial Regex FieldsLine();

    [GeneratedRegex(@"^\| filter (?<key>[A-Za-z_]+) = ""[^""]*""$", RegexOptions.Multiline)]
    private static partial Regex FilterLine();

    [GeneratedRegex(@"^  MQTT +mqtt://127\.0\.0\.1:(?<port>\d+)/? ", RegexOptions.Multiline)]
    private static partial Regex MqttLine();

    [GeneratedRegex(@"^  send a signed command: dotnet run --project src/Local -- (?<args>.+)$", RegexOptions.Multiline)]
    private static partial Regex SendCommandLine();

    [GeneratedRegex(@"'(?<quoted>[^']*)'|(?<plain>[^\s']+)")]
    private static partial Regex WordPattern();
}
