using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Queueing.Emulators.Processes;

namespace Queueing.Local.Aws;

/// <summary>moto_server on a free loopback port: the local AWS (SQS with redrive, SSM), in its own session so a
/// terminal's Ctrl+C does not reach it (<see cref="OwnSession"/>). Stopped on dispose.</summary>
internal sealed class MotoServerProcess : IAsyncDisposable
{
    public const string InstallHint = "The local stack needs moto_server: `python3 -m pip install 'moto[server]'` (python3 on PATH).";

    /// <summary>
    /// <c>python3 -m moto.server</c>, with moto's memory bounded so a long <c>up</c> stays flat. moto keeps every
    /// model instance it ever creates for its <c>/moto-api/data.json</c> dashboard (<c>BaseModel.__new__</c> appends
    /// to <c>instances_tracked</c>), every SQS message and the copy made at each receive included, and every deleted
    /// message's receipt handles (<c>Queue.deleted_messages</c>, so a second delete succeeds): about 1.5 KB per
    /// message, never freed (moto 5.x). The launcher stops the tracking (nothing of ours reads the dashboard's
    /// contents) and forgets deleted receipt handles past 10,000 per queue. If moto's internals moved, it says so
    /// on stderr and runs moto as is.
    /// </summary>
    internal const string BoundedLauncher = """
        import sys
        try:
            from moto.core.common_models import BaseModel
            from moto.sqs.models import Queue
            BaseModel.__new__ = lambda cls, *args, **kwargs: super(BaseModel, cls).__new__(cls)
            _delete = Queue.delete_message
            def delete_message(self, receipt_handle):
                _delete(self, receipt_handle)
                if len(self.deleted_messages) > 10000:
                    self.deleted_messages.clear()
            Queue.delete_message = delete_message
        except Exception as error:
            print(f"queueing-local: moto runs unbounded ({error!r})", file=sys.stderr)
        from moto.server import main
        main(sys.argv[1:])
        """;

    private readonly Process _process;
    private readonly Queue<string> _output = new();

    private MotoServerProcess(Process process, Uri endpoint)
    {
        _process = process;
        Endpoint = endpoint;
        Exited = process.WaitForExitAsync();
    }

    public Uri Endpoint { get; }

    public int ProcessId => _process.Id;

    /// <summary>Completes when moto_server has exited, for whatever reason.</summary>
    public Task Exited { get; }

    /// <summary>How it ended (<c>signal 9</c>, <c>exit status 1</c>), or <c>running</c>.</summary>
    public string ExitDescription => ExitStatus.Describe(_process);

    public static async Task<MotoServerProcess> StartAsync(TimeSpan readyTimeout, CancellationToken cancellationToken)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("python3", ["-c", BoundedLauncher, "-H", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(OwnSession.Apply(start)) ?? throw new LocalAwsException("python3 did not start. " + InstallHint);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new LocalAwsException($"Cannot start python3 ({ex.Message}). {InstallHint}");
        }

        var moto = new MotoServerProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => moto.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => moto.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await moto.WaitUntilReadyAsync(readyTimeout, cancellationToken);
        }
        catch
        {
            await moto.DisposeAsync();
            throw;
        }

        return moto;
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new LocalAwsException($"moto_server exited with {_process.ExitCode}. {InstallHint}{Environment.NewLine}{Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(Endpoint, "moto-api/data.json"), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // This probe timed out; try again.
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new LocalAwsException($"moto_server did not answer on {Endpoint} within {timeout.TotalSeconds:0} s.{Environment.NewLine}{Output}");
    }

    private string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join(Environment.NewLine, _output);
            }
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            if (_output.Count > 30)
            {
                _output.Dequeue();
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}

/// <summary>The local AWS cannot be started or set up.</summary>
internal sealed class LocalAwsException : Exception
{
    public LocalAwsException(string message) : base(message) { }

    public LocalAwsException(string message, Exception inner) : base(message, inner) { }
}
