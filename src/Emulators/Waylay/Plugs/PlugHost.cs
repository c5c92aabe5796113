using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Queueing.Emulators.Processes;

namespace Queueing.Emulators.Waylay.Plugs;

/// <summary>
/// Runs the real plugs of a tenant's <c>plugins/</c> under Node.js, in one long-lived process, as Waylay's rules engine
/// runs an actuator plug: <c>options.requiredProperties</c>, <c>send(err, result)</c>, the vault through
/// <c>waylay.vault.get</c> (see <see cref="PlugHostScript"/>). The same file a tenant uploads runs here: one code path. A plug that does not load stops <see cref="StartAsync"/> with
/// Node's message.
/// </summary>
public sealed partial class PlugHost : IAsyncDisposable
{
    private const int OutputLines = 50;
    private const string StrykerActiveMutantVariable = "__STRYKER_ACTIVE_MUTANT__";

    private readonly Process _process;
    private readonly HttpClient _http;
    private readonly Queue<string> _stderr;

    private PlugHost(Process process, Uri baseAddress, PlugCatalog plugs, Queue<string> stderr)
    {
        _process = process;
        _stderr = stderr;
        BaseAddress = baseAddress;
        Plugs = plugs;
        Exited = process.WaitForExitAsync();
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Where the host serves <c>POST /rules/v1/actions/{name}/versions/{version}</c>.</summary>
    public Uri BaseAddress { get; }

    public PlugCatalog Plugs { get; }

    public bool HasExited => _process.HasExited;

    public int ProcessId => _process.Id;

    /// <summary>Completes when the Node.js process has exited, for whatever reason.</summary>
    public Task Exited { get; }

    /// <summary>How it ended (<c>signal 9</c>, <c>exit status 1</c>), or <c>running</c>.</summary>
    public string ExitDescription => ExitStatus.Describe(_process);

    /// <summary>The last lines the plugs wrote to stderr (their <c>console</c>).</summary>
    public string RecentOutput
    {
        get { lock (_stderr) { return string.Join('\n', _stderr); } }
    }

    public static async Task<PlugHost> StartAsync(PlugHostOptions options, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(options.NodeExecutable)
        {
            ArgumentList = { "-e", PlugHostScript.Source },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        // Plugs see the vault through waylay.vault and nothing else of this process's environment (no AWS credentials).
        start.Environment.Clear();
        start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        // StrykerJS picks the active mutant of an instrumented plug from this variable (docs/testing.md); it is set
        // only during a mutation run and decides nothing else.
        if (Environment.GetEnvironmentVariable(StrykerActiveMutantVariable) is { } mutant)
        {
            start.Environment[StrykerActiveMutantVariable] = mutant;
        }

        start.Environment[PlugHostScript.VaultVariable] = new JsonObject(options.Vault.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)e.Value))).ToJsonString();
        start.Environment[PlugHostScript.PluginsVariable] = new JsonArray(options.Plugs.Plugs.Select(p => (JsonNode?)new JsonObject
        {
            ["name"] = p.Name,
            ["version"] = p.Version,
            ["directory"] = Path.GetFullPath(p.Directory),
            ["main"] = PlugCatalog.MainOf(p.Directory),
        }).ToArray()).ToJsonString();
        if (options.AlarmsUrl is { } alarms)
        {
            start.Environment[PlugHostScript.AlarmsUrlVariable] = alarms.AbsoluteUri;
            start.Environment[PlugHostScript.ApiAuthVariable] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.ApiKey}:{options.ApiSecret}"));
        }

        start.Environment[PlugHostScript.TimeoutVariable] = ((long)options.PlugTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

        Process process;
        try
        {
            // Its own session: a terminal's Ctrl+C reaches the tool only, which stops Node after the drain.
            process = Process.Start(OwnSession.Apply(start)) ?? throw new InvalidOperationException($"{options.NodeExecutable} did not start.");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"Cannot run '{options.NodeExecutable}': the Waylay sandbox runs waylay/plugins/ under Node.js 18 or later. Install it (https://nodejs.org) and put node on PATH.", ex);
        }

        var logger = options.Loggers.CreateLogger(typeof(PlugHost).Namespace!);
        var stderr = new Queue<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (stderr)
            {
                stderr.Enqueue(e.Data);
                while (stderr.Count > OutputLines)
                {
                    stderr.Dequeue();
                }
            }

            LogPlugOutput(logger, e.Data);
        };
        process.BeginErrorReadLine();

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.StartTimeout);
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            if (line is null)
            {
                await process.WaitForExitAsync(timeout.Token);
                throw new InvalidOperationException($"The plugs of {options.Plugs.Directory} did not start (node exited with {process.ExitCode}):\n{Tail(stderr)}");
            }

            var port = JsonDocument.Parse(line).RootElement.GetProperty("port").GetInt32();
            var host = new PlugHost(process, new Uri($"http://127.0.0.1:{port}/"), options.Plugs, stderr);
            LogStarted(logger, string.Join(", ", options.Plugs.Plugs.Select(p => $"{p.Name} {p.Version}")), port);
            return host;
        }
        catch (Exception ex) when (ex is OperationCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            Stop(process);
            process.Dispose();
            throw ex is OperationCanceledException && !cancellationToken.IsCancellationRequested
                ? new TimeoutException($"The plug host did not start within {options.StartTimeout.TotalSeconds:0} s:\n{Tail(stderr)}", ex)
                : ex;
        }
    }

    /// <summary>
    /// Executes an actuator plug with its properties, as the rules engine does (the documented
    /// <c>POST /rules/v1/actions/{name}/versions/{version}</c> with <c>{"properties", "resource"}</c>).
    /// </summary>
    public async Task<PlugResult> ExecuteAsync(string name, string version, JsonObject properties, string resource, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["properties"] = properties.DeepClone(), ["resource"] = resource };
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(
            $"rules/v1/actions/{Uri.EscapeDataString(name)}/versions/{Uri.EscapeDataString(version)}", content, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var answer = JsonNode.Parse(text) as JsonObject;
        return answer?["result"] is JsonValue result && result.GetValueKind() is JsonValueKind.True or JsonValueKind.False
            ? new PlugResult(result.GetValue<bool>(), answer["rawData"] as JsonObject, (string?)answer["error"])
            : new PlugResult(false, null, $"the plug host answered {(int)response.StatusCode}: {text}");
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        try
        {
            // Closing stdin ends the host cleanly; kill it if it lingers.
            _process.StandardInput.Close();
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _process.WaitForExitAsync(grace.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
        {
            Stop(_process);
        }

        _process.Dispose();
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static string Tail(Queue<string> lines)
    {
        lock (lines)
        {
            return string.Join('\n', lines);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Waylay sandbox: plugs {Plugs} run by Node.js on 127.0.0.1:{Port}")]
    private static partial void LogStarted(ILogger logger, string plugs, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "plug: {Line}")]
    private static partial void LogPlugOutput(ILogger logger, string line);
}

/// <summary>
/// A plug execution's outcome, as the rules OpenAPI's <c>ActuatorExecutionResult</c>: whether it succeeded (the plug
/// called <c>send(null, result)</c>), the <c>rawData</c> it returned, or the error it sent.
/// </summary>
public sealed record PlugResult(bool Result, JsonObject? RawData, string? Error);
