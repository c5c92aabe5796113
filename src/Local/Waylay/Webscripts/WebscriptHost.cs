using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Queueing.Local.Processes;

namespace Queueing.Local.Waylay.Webscripts;

/// <summary>
/// Runs the real webscripts of <c>waylay/webscripts/</c> under Node.js, in one long-lived process serving
/// <c>POST http://127.0.0.1:{port}/{name}</c>, as Waylay's webscript runtime calls them: <c>handleRequest(req, res)</c>
/// with an Express-like request (JSON body parsed) and response. The same file a Waylay user deploys signs the
/// commands the sandbox sends: one signing scheme, one code path. A webscript that does not load stops
/// <see cref="StartAsync"/> with Node's message.
/// </summary>
public sealed partial class WebscriptHost : IAsyncDisposable
{
    private const int OutputLines = 50;

    private readonly Process _process;
    private readonly HttpClient _http;
    private readonly Queue<string> _stderr;

    private WebscriptHost(Process process, Uri baseAddress, IReadOnlyList<string> webscripts, Queue<string> stderr)
    {
        _process = process;
        _stderr = stderr;
        BaseAddress = baseAddress;
        Webscripts = webscripts;
        Exited = process.WaitForExitAsync();
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
    }

    public Uri BaseAddress { get; }

    public IReadOnlyList<string> Webscripts { get; }

    public bool HasExited => _process.HasExited;

    public int ProcessId => _process.Id;

    /// <summary>Completes when the Node.js process has exited, for whatever reason.</summary>
    public Task Exited { get; }

    /// <summary>How it ended (<c>signal 9</c>, <c>exit status 1</c>), or <c>running</c>.</summary>
    public string ExitDescription => ExitStatus.Describe(_process);

    /// <summary>The last lines the webscripts wrote to stderr (their <c>console</c>).</summary>
    public string RecentOutput
    {
        get { lock (_stderr) { return string.Join('\n', _stderr); } }
    }

    /// <summary>The webscripts of a folder: the names of its <c>*.js</c> files without the extension.</summary>
    public static IReadOnlyList<string> Discover(string directory) =>
        Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, "*.js").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal).ToArray()
            : [];

    public Uri UrlOf(string webscript) => new(BaseAddress, Uri.EscapeDataString(webscript));

    public static async Task<WebscriptHost> StartAsync(WebscriptHostOptions options, CancellationToken cancellationToken = default)
    {
        var directory = Path.GetFullPath(options.WebscriptsDirectory);
        var webscripts = Discover(directory);
        if (webscripts.Count == 0)
        {
            throw new InvalidOperationException($"No webscript (*.js) in {directory}: the Waylay sandbox's actuators call the webscripts of waylay/webscripts/.");
        }

        var start = new ProcessStartInfo(options.NodeExecutable)
        {
            ArgumentList = { "-e", WebscriptHostScript.Source },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        // Webscripts see their secrets and nothing else of this process's environment (no AWS credentials).
        start.Environment.Clear();
        start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        foreach (var (name, value) in options.Secrets)
        {
            start.Environment[name] = value;
        }

        start.Environment["QUEUEING_WEBSCRIPTS_DIR"] = directory;
        start.Environment["QUEUEING_WEBSCRIPT_TIMEOUT_MS"] = ((long)options.WebscriptTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

        Process process;
        try
        {
            // Its own session: a terminal's Ctrl+C reaches the tool only, which stops Node after the drain.
            process = Process.Start(OwnSession.Apply(start)) ?? throw new InvalidOperationException($"{options.NodeExecutable} did not start.");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"Cannot run '{options.NodeExecutable}': the Waylay sandbox runs waylay/webscripts/ under Node.js 18 or later. Install it (https://nodejs.org) and put node on PATH.", ex);
        }

        var logger = options.Loggers.CreateLogger("Queueing.Local.Waylay.Webscripts");
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

            LogWebscriptOutput(logger, e.Data);
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
                throw new InvalidOperationException($"The webscripts of {directory} did not start (node exited with {process.ExitCode}):\n{Tail(stderr)}");
            }

            var port = JsonDocument.Parse(line).RootElement.GetProperty("port").GetInt32();
            var host = new WebscriptHost(process, new Uri($"http://127.0.0.1:{port}/"), webscripts, stderr);
            LogStarted(logger, string.Join(", ", webscripts), port);
            return host;
        }
        catch (Exception ex) when (ex is OperationCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            Stop(process);
            process.Dispose();
            throw ex is OperationCanceledException && !cancellationToken.IsCancellationRequested
                ? new TimeoutException($"The webscript host did not start within {options.StartTimeout.TotalSeconds:0} s:\n{Tail(stderr)}", ex)
                : ex;
        }
    }

    /// <summary>POSTs <paramref name="jsonBody"/> to a webscript and returns its answer.</summary>
    public async Task<WebscriptAnswer> InvokeAsync(
        string webscript, string jsonBody, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, UrlOf(webscript))
        {
            Content = new StringContent(jsonBody, Encoding.UTF8, "application/json"),
        };
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await _http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return new WebscriptAnswer((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), body);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Waylay sandbox: webscripts {Webscripts} served by Node.js on 127.0.0.1:{Port}")]
    private static partial void LogStarted(ILogger logger, string webscripts, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "webscript: {Line}")]
    private static partial void LogWebscriptOutput(ILogger logger, string line);
}
