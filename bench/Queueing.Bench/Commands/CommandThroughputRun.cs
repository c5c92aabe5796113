using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Queueing.Actuate.Publisher;
using Queueing.Contracts.Events;
using Queueing.Contracts.Json;
using Queueing.Shared.Runtime;

namespace Queueing.Bench.Commands;

/// <summary>
/// `command-throughput`: N commands through the real command publisher — 10-record FIFO events (as JSON bytes,
/// the way the Runtime API hands them over), real <see cref="IotDataPublisher"/> with SigV4 and a pooled
/// SocketsHttpHandler — to an IoT Data stand-in on loopback (Kestrel, same process) that answers 200, after
/// <c>--latency-ms</c> to model IoT Core's round trip. <c>--concurrency</c> invocations run at once, each on its
/// own set of devices, as Lambda runs one batch per message group at a time. The stand-in checks every request
/// is a signed publish and that each device's commands arrive in order; a run that loses, reorders or fails a
/// command is reported and fails.
/// </summary>
internal static class CommandThroughputRun
{
    private const int BatchSize = 10;

    public static async Task<int> RunAsync(string[] args)
    {
        var commands = ThroughputRun.Option(args, "--commands", 10_000);
        var devices = ThroughputRun.Option(args, "--devices", 1_000);
        var concurrency = ThroughputRun.Option(args, "--concurrency", 1);
        var runs = ThroughputRun.Option(args, "--runs", 10);
        // Several warm-up runs: tiered compilation of the HttpClient, Kestrel and SDK paths settles slowly on a busy machine.
        var warmUps = ThroughputRun.Option(args, "--warmups", 3);
        var latency = TimeSpan.FromMilliseconds(ThroughputRun.Option(args, "--latency-ms", 0));

        var standIn = new StandIn(latency);
        await using var server = await ThroughputRun.StartBrokerAsync(standIn.HandleAsync);
        var endpoint = new Uri(server.Urls.First());
        using var publisher = CommandFixtures.Publisher(endpoint, TimeProvider.System, transport: null);
        IFunctionHandler function = CommandFixtures.PublisherFunction(publisher, TimeProvider.System);
        var lanes = Lanes(commands, devices, concurrency);
        var invocations = lanes.Sum(lane => lane.Count);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Command throughput: {commands:N0} commands for {devices:N0} devices in {invocations:N0} events of up to {BatchSize}, {concurrency} concurrent invocation(s), IoT latency {latency.TotalMilliseconds} ms, {runs} runs after {warmUps} warm-up(s), .NET {Environment.Version}, {Environment.ProcessorCount} cores"));
        for (var warmUp = 1; warmUp <= warmUps; warmUp++)
        {
            if (await RunOnceAsync(function, lanes, standIn) is { Problem: { } warmUpProblem })
            {
                Console.Error.WriteLine($"Warm-up {warmUp}: {warmUpProblem}");
                return 1;
            }
        }

        var rates = new List<double>();
        for (var run = 1; run <= runs; run++)
        {
            var before = (Requests: standIn.Requests, Allocated: GC.GetTotalAllocatedBytes(precise: true));
            var clock = Stopwatch.StartNew();
            var outcome = await RunOnceAsync(function, lanes, standIn);
            clock.Stop();
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - before.Allocated;
            if (outcome.Problem is not null || outcome.Published != commands)
            {
                Console.Error.WriteLine($"Run {run}: {outcome.Published} of {commands} published: {outcome.Problem ?? "commands are missing"}; not a clean run.");
                return 1;
            }

            var rate = commands / clock.Elapsed.TotalSeconds;
            rates.Add(rate);
            var perInvocation = clock.Elapsed.TotalMilliseconds * concurrency / invocations;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  run {run}: {clock.Elapsed.TotalMilliseconds,8:0.0} ms  {rate,9:N0} commands/s  {standIn.Requests - before.Requests} requests  {perInvocation,6:0.00} ms per 10-record invocation  {allocated / (double)commands,7:N0} B allocated/command (publisher + stand-in)"));
        }

        rates.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Median: {rates[rates.Count / 2]:N0} commands/s"));
        return 0;
    }

    private static async Task<(int Published, string? Problem)> RunOnceAsync(IFunctionHandler function, List<List<byte[]>> lanes, StandIn standIn)
    {
        standIn.StartRun();
        var failures = 0;
        await Task.WhenAll(lanes.Select(async lane =>
        {
            // One lane is one Lambda instance working through its message groups: an event at a time.
            foreach (var payload in lane)
            {
                var context = CommandFixtures.Context(TimeProvider.System, "CommandPublisherFunction");
                var answer = await context.InvokeAsync(function, payload, CancellationToken.None);
                Interlocked.Add(ref failures, JsonSerializer.Deserialize(answer, SharedJsonContext.Default.SqsBatchResponse)!.BatchItemFailures.Count);
            }
        }));

        return (standIn.PublishedThisRun, failures > 0 ? $"{failures} batch item failures" : standIn.Problem);
    }

    /// <summary>
    /// Command i goes to device i % devices with sequence number i / devices (in its payload). Devices are split
    /// over the lanes (device % concurrency), so a device's commands are only ever in one lane, in order, and
    /// each lane cuts its commands into FIFO events of <see cref="BatchSize"/>.
    /// </summary>
    private static List<List<byte[]>> Lanes(int commands, int devices, int concurrency)
    {
        var acceptedAt = DateTimeOffset.UtcNow;
        var perLane = Enumerable.Range(0, concurrency).Select(_ => new List<SqsMessage>()).ToList();
        for (var i = 0; i < commands; i++)
        {
            var device = i % devices;
            var deviceId = "lamp-" + device.ToString("D5", CultureInfo.InvariantCulture);
            var payload = "{\"lightStatus\":\"" + (i % 2 == 0 ? "on" : "off") + "\",\"seq\":" + (i / devices).ToString(CultureInfo.InvariantCulture) + "}";
            // An hour to live: the runs finish long before any command could expire and be parked instead.
            var command = CommandFixtures.Command(deviceId, payload, acceptedAt, 3600, "bench-" + i.ToString(CultureInfo.InvariantCulture));
            perLane[device % concurrency].Add(CommandFixtures.Record(command, i));
        }

        return perLane
            .Select(records => records.Chunk(BatchSize).Select(batch => CommandFixtures.EventBytes(new SqsEvent { Records = [.. batch] })).ToList())
            .ToList();
    }

    /// <summary>IoT Data Publish on loopback: 200 for a signed publish, after the configured latency.</summary>
    private sealed class StandIn(TimeSpan latency)
    {
        private readonly Dictionary<string, int> _lastSequence = new(StringComparer.Ordinal);
        private readonly Lock _gate = new();
        private int _requests;
        private int _published;
        private string? _problem;

        public int Requests => Volatile.Read(ref _requests);

        public int PublishedThisRun => Volatile.Read(ref _published);

        public string? Problem { get { lock (_gate) { return _problem; } } }

        public void StartRun()
        {
            lock (_gate)
            {
                _lastSequence.Clear();
                _published = 0;
                _problem = null;
            }
        }

        public async Task HandleAsync(HttpContext http)
        {
            Interlocked.Increment(ref _requests);
            var rawTarget = http.Features.Get<IHttpRequestFeature>()!.RawTarget;
            var authorization = http.Request.Headers.Authorization.ToString();
            if (http.Request.Method != "POST" || !rawTarget.StartsWith("/topics/", StringComparison.Ordinal)
                || !authorization.StartsWith("AWS4-HMAC-SHA256 Credential=", StringComparison.Ordinal)
                || !http.Request.Headers.ContainsKey(MqttUserProperties.Header))
            {
                Fail($"not a signed publish: {http.Request.Method} {rawTarget}");
                http.Response.StatusCode = 403;
                return;
            }

            using var payload = await JsonDocument.ParseAsync(http.Request.Body);
            var topic = rawTarget[..rawTarget.IndexOf('?', StringComparison.Ordinal)];
            var sequence = payload.RootElement.GetProperty("seq").GetInt32();
            if (latency > TimeSpan.Zero)
            {
                await Task.Delay(latency);
            }

            lock (_gate)
            {
                if (_lastSequence.TryGetValue(topic, out var last) && sequence <= last)
                {
                    _problem ??= $"{topic}: command {sequence} arrived after {last}";
                }

                _lastSequence[topic] = sequence;
                _published++;
            }

            http.Response.StatusCode = 200;
        }

        private void Fail(string problem)
        {
            lock (_gate)
            {
                _problem ??= problem;
            }
        }
    }
}
