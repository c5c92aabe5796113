using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Queueing.Local.Devices;

/// <summary>
/// <c>--devices N</c>: N <see cref="SimulatedDevice"/>s named <c>device-001</c>... connected to the local broker,
/// each publishing telemetry on its own loop and recording its commands; several groups (e.g. <c>--legacy-devices</c>,
/// other names, topic and payload) make one fleet.
/// </summary>
internal sealed class SimulatedDeviceFleet : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _completion = Task.CompletedTask;
    private bool _disposed;

    public SimulatedDeviceFleet(SimulatedDeviceOptions options, TimeProvider? time = null, ILoggerFactory? loggers = null)
        : this([options], time, loggers)
    {
    }

    public SimulatedDeviceFleet(IReadOnlyList<SimulatedDeviceOptions> groups, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        if (groups.Count == 0 || groups.Any(g => g.Count < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(groups), "The fleet needs at least one device in every group.");
        }

        var logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger<SimulatedDevice>();
        Devices = groups
            .SelectMany(options => Enumerable.Range(0, options.Count).Select(i => new SimulatedDevice(
                options.ThingNamePrefix + (i + 1).ToString("000", CultureInfo.InvariantCulture),
                i,
                options,
                time ?? TimeProvider.System,
                logger)))
            .ToArray();
        if (Devices.Select(d => d.ThingName).Distinct(StringComparer.Ordinal).Count() != Devices.Count)
        {
            throw new ArgumentException("Two groups of the fleet name their devices alike; give them different ThingNamePrefix values.", nameof(groups));
        }
    }

    public IReadOnlyList<SimulatedDevice> Devices { get; }

    /// <summary>Completes when every device has sent its messages (or the fleet was stopped).</summary>
    public Task Completion => _completion;

    public FleetCounters Counters => new(
        Devices.Sum(d => d.Published),
        Devices.Sum(d => d.PublishFailures),
        Devices.Sum(d => (long)d.CommandsReceived),
        Devices.Count(d => d.IsConnected));

    /// <summary>What the devices answered to their commands so far.</summary>
    public AckCounters Acks => Devices.Aggregate(AckCounters.Zero, (sum, d) => sum + d.Acks);

    /// <summary>Every device's loop latencies so far (see <see cref="LoopLatencyMeter"/>).</summary>
    public LoopLatency LoopLatency => LoopLatency.Of(
        Devices.SelectMany(d => d.Commands).Select(c => c.LoopLatency).OfType<TimeSpan>());

    /// <summary>Connects and subscribes every device, then starts their publishing loops in the background.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(Devices.Select(d => d.ConnectAsync(cancellationToken)));
        _completion = Task.WhenAll(Devices.Select(RunUntilStoppedAsync));
    }

    /// <summary>Stops publishing; the devices stay connected and keep receiving commands.</summary>
    public async Task StopPublishingAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        await _completion.WaitAsync(cancellationToken);
    }

    /// <summary>Stops publishing and disconnects every device.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        await _completion.WaitAsync(cancellationToken);
        await Task.WhenAll(Devices.Select(d => d.DisconnectAsync(cancellationToken)));
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stop.CancelAsync();
        await _completion;
        foreach (var device in Devices)
        {
            await device.DisposeAsync();
        }

        _stop.Dispose();
    }

    private async Task RunUntilStoppedAsync(SimulatedDevice device)
    {
        try
        {
            await device.RunAsync(_stop.Token);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopped on purpose.
        }
    }
}
