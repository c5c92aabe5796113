using System.Globalization;
using Queueing.AotBench.Events;
using Queueing.Emulators.Waylay.Broker;
using Queueing.Emulators.Waylay.Faults;

namespace Queueing.AotBench.Scenarios;

/// <summary>
/// Ingest: one SQS event of <c>records</c> telemetry records per invocation against the local stack's Waylay broker
/// (HTTP Basic checked, every event parsed, answered at once or after a fixed latency). Every invocation must answer
/// with no batch item failure and the broker must have taken exactly its records, none refused.
/// </summary>
internal sealed class IngestScenario(int records, int devices, int latencyMs) : IBenchScenario
{
    private BrokerServer? _broker;
    private byte[] _event = [];

    public string Unit => "record";

    public int ItemsPerInvocation => records;

    public async Task<IReadOnlyDictionary<string, string>> StartAsync(BenchStack stack, CancellationToken cancellationToken)
    {
        var latency = TimeSpan.FromMilliseconds(latencyMs);
        _broker = await BrokerServer.StartAsync(
            new BrokerOptions
            {
                ApiKey = stack.Secrets.WaylayApiKey,
                ApiSecret = stack.Secrets.WaylayApiSecret,
                // Only the count matters here; one message per resource keeps the stand-in's memory flat.
                MessagesPerResource = 1,
                Faults = latency > TimeSpan.Zero ? new WaylayFaultOptions { Latency = new LatencyRange(latency, latency) } : WaylayFaultOptions.None,
            },
            inbox: null,
            cancellationToken);
        var source = stack.Function.SqsEvents.FirstOrDefault()
            ?? throw new InvalidOperationException($"{stack.Function.LogicalId} has no SQS event source in the template.");
        // The same event every invocation: the function keeps nothing between events, and the harness stays out of the way.
        _event = TelemetryEvents.Create(records, devices, source.QueueArn, stack.Access.Region, DateTimeOffset.UtcNow);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["WAYLAY_DATA_URL"] = _broker.BaseAddress.ToString().TrimEnd('/'),
        };
    }

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"ingest: one SQS event of {records:N0} records from {devices:N0} devices ({_event.Length / 1e6:0.00} MB, {_event.Length / (double)records:0} B/record) per invocation; " +
        $"Waylay broker stand-in on loopback answering {(latencyMs > 0 ? $"after {latencyMs} ms" : "at once")}");

    public byte[] NextEvent() => _event;

    public StandInCount Count()
    {
        var counters = Broker.Counters.Snapshot();
        return new StandInCount(counters.Requests, counters.EventsReceived, counters.Unauthorized + counters.Refused + counters.FaultsInjected);
    }

    public string? Check(byte[] response, StandInCount taken)
    {
        if (BatchResponse.Problem(response) is { } problem)
        {
            return problem;
        }

        if (taken.Refused != 0)
        {
            return $"The broker refused {taken.Refused} requests.";
        }

        return taken.Items == records ? null : $"The broker took {taken.Items} events of the {records} records.";
    }

    public Task<string?> CheckRunAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    private BrokerServer Broker => _broker ?? throw new InvalidOperationException("The scenario is not started.");

    public async ValueTask DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }
}
