using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SimpleSystemsManagement;
using Xunit;

namespace Queueing.Testing;

/// <summary>
/// A real moto_server (our local AWS: SQS with redrive, SSM, IoT Data) on a free loopback port, started for a
/// test class and stopped after it. Use as <c>IClassFixture&lt;MotoServer&gt;</c>.
/// </summary>
public sealed class MotoServer : IAsyncLifetime
{
    public const string AccessKey = "testing";
    public const string SecretKey = "testing";
    public const string Region = "us-east-1";
    public const string AccountId = "123456789012";

    private Process? _process;
    private readonly List<string> _output = [];

    public Uri Endpoint { get; private set; } = new("http://127.0.0.1:1");

    /// <summary>The environment a child process (a function, the CLI) needs to reach this moto with the SDK.</summary>
    public IReadOnlyDictionary<string, string> ClientEnvironment => new Dictionary<string, string>
    {
        ["AWS_ENDPOINT_URL"] = Endpoint.ToString().TrimEnd('/'),
        ["AWS_ACCESS_KEY_ID"] = AccessKey,
        ["AWS_SECRET_ACCESS_KEY"] = SecretKey,
        ["AWS_REGION"] = Region,
        ["AWS_DEFAULT_REGION"] = Region,
    };

    public AWSCredentials Credentials { get; } = new BasicAWSCredentials(AccessKey, SecretKey);

    public AmazonSQSClient CreateSqs() => new(Credentials, new AmazonSQSConfig { ServiceURL = Endpoint.ToString(), AuthenticationRegion = Region });

    /// <summary>A client whose requests <paramref name="log"/> records on their way to moto.</summary>
    public AmazonSQSClient CreateSqs(SqsRequestLog log) =>
        new(Credentials, new AmazonSQSConfig { ServiceURL = Endpoint.ToString(), AuthenticationRegion = Region, HttpClientFactory = log });

    public AmazonSimpleSystemsManagementClient CreateSsm() =>
        new(Credentials, new AmazonSimpleSystemsManagementConfig { ServiceURL = Endpoint.ToString(), AuthenticationRegion = Region });

    public async Task InitializeAsync()
    {
        var port = FreeTcpPort();
        var start = new ProcessStartInfo("python3", ["-m", "moto.server", "-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["MOTO_ALLOW_NONEXISTENT_REGION"] = "true";
        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(InstallHint, ex);
        }

        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (_output) { _output.Add(e.Data); } } };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (_output) { _output.Add(e.Data); } } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        Endpoint = new Uri($"http://127.0.0.1:{port}/");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"moto_server exited with {_process.ExitCode}. {InstallHint}\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(Endpoint, "moto-api/data.json"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"moto_server did not answer on {Endpoint} within 60 s.\n{Output}");
    }

    /// <summary>Wipes every resource (queues, parameters) so a test starts clean.</summary>
    public async Task ResetAsync()
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(new Uri(Endpoint, "moto-api/reset"), null);
        response.EnsureSuccessStatusCode();
    }

    public string Output
    {
        get { lock (_output) { return string.Join('\n', _output.TakeLast(40)); } }
    }

    public const string InstallHint =
        "These tests need moto_server: `python3 -m pip install 'moto[server]'` (Python 3 must be on PATH as python3).";

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process?.Dispose();
        return Task.CompletedTask;
    }

    public static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
