using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Queueing.Contracts.Events;
using Queueing.Contracts.Json;
using Queueing.Ingest.Rounds;
using Queueing.Ingest.Telemetry;
using Queueing.Ingest.Waylay;

namespace Queueing.Bench;

/// <summary>
/// The CPU path of one invocation, per message: SQS record -> validated reading -> rounds -> request chunks ->
/// request bodies (bytes ready for HttpClient). 1,000 records from 100 devices = 10 rounds of 1 request each.
/// Results are per message (OperationsPerInvoke).
/// </summary>
[MemoryDiagnoser]
public class RequestBodyBenchmarks
{
    private const int Records = 1000;
    private const int Devices = 100;

    private readonly TelemetryParser _parser = new(128 * 1024);
    private readonly RequestChunker _chunker = new();
    private SqsRecordBatch _batch = null!;
    private List<TelemetryReading> _readings = [];

    [GlobalSetup]
    public void Setup()
    {
        // The records as the function has them: the event's JSON through the lean reader (kept for the whole run).
        var payload = JsonSerializer.SerializeToUtf8Bytes(new SqsEvent { Records = TelemetryBatch.Create(Records, Devices) }, SharedJsonContext.Default.SqsEvent);
        _batch = SqsEventReader.Read(payload);
        _readings = Parse();
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public int ParseOnly() => Parse().Count;

    [Benchmark(OperationsPerInvoke = Records)]
    public int PlanAndSerialiseOnly() => Serialise(_readings);

    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    public int BatchToRequestBodies() => Serialise(Parse());

    private List<TelemetryReading> Parse()
    {
        var readings = new List<TelemetryReading>(_batch.Count);
        for (var i = 0; i < _batch.Count; i++)
        {
            if (_parser.Parse(_batch[i], i).Reading is { } reading)
            {
                readings.Add(reading);
            }
        }

        return readings;
    }

    private int Serialise(List<TelemetryReading> readings)
    {
        var bytes = 0;
        foreach (var round in RoundPlanner.Plan(readings))
        {
            foreach (var request in _chunker.Chunk(round))
            {
                bytes += WaylayRequestBody.Write(request).Length;
            }
        }

        return bytes;
    }
}
