using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Queueing.Actuate.Commands;
using Queueing.Actuate.Publisher;
using Queueing.Contracts.Events;
using Queueing.Contracts.Json;
using Queueing.Shared.Runtime;

namespace Queueing.Bench.Commands;

/// <summary>
/// The command publisher's CPU work per record: read the queue message, check its expiry, and publish it as a
/// SigV4-signed IoT Data request to a transport answering 200 in memory (<see cref="InMemoryIotData"/>); and a
/// whole 10-record FIFO batch (10 devices) through the function, reported per record.
/// </summary>
// Min and median beside the mean: on a shared machine the mean carries the neighbours' load, the minimum less so.
[MemoryDiagnoser, MinColumn, MedianColumn]
public class CommandPublisherBenchmarks
{
    private const int BatchSize = 10;

    private static readonly Uri Endpoint = new("https://a1b2c3d4e5f6g7-ats.iot.us-east-1.amazonaws.com");

    private readonly BenchClock _clock = new(CommandFixtures.SignedAt.AddSeconds(1));
    private readonly InMemoryIotData _iot = new();
    private IotDataPublisher _publisher = null!;
    private CommandPublisherFunction _function = null!;
    private string _body = "";
    private Command _command = null!;
    private byte[] _event = [];
    private InvocationContext _context = null!;

    [GlobalSetup]
    public void Setup()
    {
        _publisher = CommandFixtures.Publisher(Endpoint, _clock, _iot);
        _function = CommandFixtures.PublisherFunction(_publisher, _clock);
        var records = new List<SqsMessage>(BatchSize);
        for (var i = 0; i < BatchSize; i++)
        {
            var device = "lamp-" + i.ToString("D4", CultureInfo.InvariantCulture);
            var command = CommandFixtures.Command(device, "{\"lightStatus\":\"on\"}", CommandFixtures.SignedAt, 60, "dedup-" + i.ToString(CultureInfo.InvariantCulture));
            records.Add(CommandFixtures.Record(command, i));
        }

        _body = records[0].Body;
        _command = ParseAndCheckExpiry() ?? throw new InvalidOperationException("The benchmark command does not parse or has expired.");
        _event = CommandFixtures.EventBytes(new SqsEvent { Records = records });
        _context = CommandFixtures.Context(_clock, "CommandPublisherFunction");

        if (PublishSigned().GetAwaiter().GetResult() != PublishResult.Published)
        {
            throw new InvalidOperationException("The in-memory IoT Data stand-in did not accept the publish.");
        }

        var published = _iot.Published;
        var answer = _context.InvokeAsync(_function, _event, CancellationToken.None).GetAwaiter().GetResult();
        var failures = JsonSerializer.Deserialize(answer, SharedJsonContext.Default.SqsBatchResponse)!.BatchItemFailures.Count;
        if (failures != 0 || _iot.Published - published != BatchSize)
        {
            throw new InvalidOperationException($"The batch was not published cleanly ({failures} failures).");
        }
    }

    /// <summary><c>CommandMessage.TryParse</c> (JSON, every field checked, topic derived), the topic comparison and
    /// the expiry check.</summary>
    [Benchmark]
    public Command? ParseAndCheckExpiry() =>
        CommandMessage.TryParse(_body, CommandFixtures.Template, out var command, out var recordedTopic, out _)
        && (recordedTopic is null || recordedTopic == command.Topic)
        && _clock.GetUtcNow() < command.ExpiresAt ? command : null;

    /// <summary><c>IotDataPublisher.PublishAsync</c>: URL with qos and messageExpiry, MQTT 5 user properties,
    /// SigV4 signature (payload hash included), HttpClient pipeline, status classification.</summary>
    [Benchmark]
    public async Task<PublishResult> PublishSigned() => (await _publisher.PublishAsync(_command, CancellationToken.None)).Result;

    /// <summary>A 10-record FIFO event as bytes through the function (deserialise, per record parse + expiry +
    /// publish, metrics, response), reported per record.</summary>
    [Benchmark(OperationsPerInvoke = BatchSize)]
    public async Task<int> InvokeBatchOf10() => (await _context.InvokeAsync(_function, _event, CancellationToken.None)).Length;
}
