using System.Globalization;
using Queueing.Local.Cli;

namespace Queueing.AotBench.Cli;

/// <summary>Which function a run measures.</summary>
internal enum BenchTarget
{
    Ingest,
    Publisher,
    CommandApi,
}

/// <summary>What the command line asked for, validated; every problem is reported together.</summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        queueing-aotbench <ingest|publisher|api> [options]

        Measures a function's Native AOT executable (the `bootstrap` the Makefile builds) under the Lambda Runtime
        API, warm, against stand-ins that answer at once. Figures come from the function process itself:
        CPU (/proc/<pid>/stat), peak RSS (VmHWM), and allocations and GCs from its Debug cost line.

          ingest     one SQS event of --records records from --devices devices per invocation; Waylay broker stand-in
          publisher  10-record FIFO batches of commands; IoT Data stand-in (SigV4 checked), IngestQueue stand-in
                     (SendMessageBatch of the status messages, two per command)
          api        one signed POST /commands per invocation; SQS is moto

        Options:
          --bootstrap PATH     the executable to run (default: `make build-<Function> ARTIFACTS_DIR=artifacts/<Function>`)
          --no-build           run artifacts/<Function>/bootstrap as it is
          --records N          ingest: records per event (10000)
          --devices N          distinct devices (ingest 100, publisher 10, api 100)
          --latency-ms N       ingest: the broker answers after N ms (0)
          --warmups N          untimed invocations first (ingest 3, publisher 50, api 50)
          --invocations N      timed invocations per run (ingest 20, publisher 1000, api 300)
          --runs N             runs, each a fresh process (3)
          --cpus LIST          run the function under `taskset -c LIST` (e.g. 0: one core)
          --env NAME=VALUE     extra environment for the function, repeatable (e.g. DOTNET_gcConcurrent=0)
          --template PATH      serverless.template (default: found from the current folder up)
          --json               print the figures as one JSON object instead of the table
        """;

    public required BenchTarget Target { get; init; }
    public string? Bootstrap { get; init; }
    public bool NoBuild { get; init; }
    public int Records { get; init; }
    public int Devices { get; init; }
    public int LatencyMs { get; init; }
    public int Warmups { get; init; }
    public int Invocations { get; init; }
    public int Runs { get; init; }
    public string? Cpus { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; init; } = [];
    public string? Template { get; init; }
    public bool Json { get; init; }

    /// <summary>The template's logical id of the function measured.</summary>
    public string LogicalId => Target switch
    {
        BenchTarget.Ingest => "IngestFunction",
        BenchTarget.Publisher => "CommandPublisherFunction",
        _ => "CommandApiFunction",
    };

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var problems = new List<string>();
        if (args.Count == 0)
        {
            throw new UsageException("Name the function to measure: ingest, publisher or api.");
        }

        BenchTarget target;
        switch (args[0])
        {
            case "ingest": target = BenchTarget.Ingest; break;
            case "publisher": target = BenchTarget.Publisher; break;
            case "api": target = BenchTarget.CommandApi; break;
            default: throw new UsageException($"Unknown function '{args[0]}': use ingest, publisher or api.");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var environment = new List<KeyValuePair<string, string>>();
        var flags = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "--no-build" or "--json")
            {
                flags.Add(name);
                continue;
            }

            if (!ValueOptions.Contains(name))
            {
                problems.Add($"Unknown option '{name}'.");
                continue;
            }

            if (i + 1 >= args.Count)
            {
                problems.Add($"{name} needs a value.");
                break;
            }

            var value = args[++i];
            if (name == "--env")
            {
                var equals = value.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    problems.Add($"--env takes NAME=VALUE, got '{value}'.");
                }
                else
                {
                    environment.Add(KeyValuePair.Create(value[..equals], value[(equals + 1)..]));
                }

                continue;
            }

            values[name] = value;
        }

        var options = new BenchOptions
        {
            Target = target,
            Bootstrap = values.GetValueOrDefault("--bootstrap"),
            NoBuild = flags.Contains("--no-build"),
            Records = Int(values, "--records", 10_000, 1, 100_000, problems),
            Devices = Int(values, "--devices", target == BenchTarget.Publisher ? 10 : 100, 1, 100_000, problems),
            LatencyMs = Int(values, "--latency-ms", 0, 0, 10_000, problems),
            Warmups = Int(values, "--warmups", target == BenchTarget.Ingest ? 3 : 50, 1, 100_000, problems),
            Invocations = Int(values, "--invocations", target switch { BenchTarget.Ingest => 20, BenchTarget.Publisher => 1000, _ => 300 }, 1, 1_000_000, problems),
            Runs = Int(values, "--runs", 3, 1, 100, problems),
            Cpus = values.GetValueOrDefault("--cpus"),
            Environment = environment,
            Template = values.GetValueOrDefault("--template"),
            Json = flags.Contains("--json"),
        };

        if (target != BenchTarget.Ingest && values.ContainsKey("--records"))
        {
            problems.Add(target == BenchTarget.Publisher
                ? "--records is for ingest: the publisher gets 10-record FIFO batches (Lambda's maximum for FIFO queues)."
                : "--records is for ingest: the command API gets one request per invocation.");
        }

        if (target != BenchTarget.Ingest && options.LatencyMs > 0)
        {
            problems.Add("--latency-ms is for ingest (the Waylay stand-in); the IoT Data stand-in answers at once and the command API's SQS is moto.");
        }

        if (options.Bootstrap is not null && options.NoBuild)
        {
            problems.Add("--bootstrap and --no-build together: --bootstrap already runs that file without building.");
        }

        if (options.Cpus is { } cpus && (cpus.Length == 0 || !cpus.All(c => char.IsAsciiDigit(c) || c is ',' or '-')))
        {
            problems.Add($"--cpus takes a CPU list as taskset does (e.g. 0, or 0-1), got '{cpus}'.");
        }

        return problems.Count == 0 ? options : throw new UsageException(string.Join(System.Environment.NewLine, problems));
    }

    private static readonly HashSet<string> ValueOptions = new(StringComparer.Ordinal)
    {
        "--bootstrap", "--records", "--devices", "--latency-ms", "--warmups", "--invocations", "--runs", "--cpus", "--env", "--template",
    };

    private static int Int(Dictionary<string, string> values, string name, int fallback, int min, int max, List<string> problems)
    {
        if (!values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        problems.Add($"{name} must be a whole number from {min} to {max}, got '{text}'.");
        return fallback;
    }
}
