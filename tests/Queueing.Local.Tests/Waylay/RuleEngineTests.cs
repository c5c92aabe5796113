using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using Queueing.Emulators.Waylay.Rules;

namespace Queueing.Local.Tests.Waylay;

public sealed class RuleEngineTests
{
    private sealed class RecordingActuator(Func<Actuation, ActuatorAnswer>? answer = null) : IActuator
    {
        public ConcurrentQueue<Actuation> Calls { get; } = new();

        public async Task<ActuatorAnswer> InvokeAsync(Actuation actuation, CancellationToken cancellationToken)
        {
            // Yield so that calls of different resources really interleave.
            await Task.Yield();
            Calls.Enqueue(actuation);
            return answer?.Invoke(actuation) ?? ActuatorAnswer.Success(202, "{}");
        }
    }

    private static RuleEngine Engine(IActuator actuator, string trigger = "stateChange") =>
        new([TestTemplates.Load(TestTemplates.LightThreshold(trigger))], actuator, new RuleEngineOptions { Partitions = 3, Time = new FakeTimeProvider() });

    [Fact]
    public async Task Forward_EventsOfManyResources_CreatesATaskPerResourceAndActuatesEachInEventOrder()
    {
        var actuator = new RecordingActuator();
        await using var engine = Engine(actuator);
        var values = new[] { 100, 400, 200, 500, 360, 340 };

        for (var i = 0; i < values.Length; i++)
        {
            for (var device = 0; device < 8; device++)
            {
                engine.Forward(TestTemplates.Event($"lamp-{device}", 1000 + i, values[i] + device % 2));
            }
        }

        await engine.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // Per device: Below, Above, Below, Above, Above (no change), Below: five crossings.
        var counters = engine.Counters.Snapshot();
        Assert.Equal((48L, 8L, 48L, 0L), (counters.EventsEvaluated, counters.TasksCreated, counters.SensorExecutions, counters.SensorFailures));
        Assert.Equal((40L, 40L, 40L, 40L), (counters.RulesFired, counters.PlugRuns, counters.AnswersByStatus["202"], counters.CommandsAccepted));
        for (var device = 0; device < 8; device++)
        {
            var calls = actuator.Calls.Where(c => c.Resource == $"lamp-{device}").ToArray();
            Assert.Equal(["lightOn", "lightOff", "lightOn", "lightOff", "lightOn"], calls.Select(c => c.Actuator.Label));
            Assert.Equal([1000L, 1001, 1002, 1003, 1005], calls.Select(c => c.EventTimestamp));
            Assert.NotNull(engine.TaskFor("light-threshold", $"lamp-{device}"));
        }
    }

    [Fact]
    public async Task Forward_ActuatorThrowsFailsOrSucceeds_IsCountedByOutcomeAndTheTaskGoesOn()
    {
        var n = 0;
        var actuator = new RecordingActuator(_ => Interlocked.Increment(ref n) switch
        {
            1 => throw new InvalidOperationException("boom"),
            2 => ActuatorAnswer.Failed("command API answered 401: Unauthorized"),
            3 => ActuatorAnswer.Success(null, "{}"),
            _ => ActuatorAnswer.Success(202, "{}"),
        });
        await using var engine = Engine(actuator, "states");

        foreach (var (value, t) in new[] { (400, 1), (410, 2), (420, 3), (430, 4) })
        {
            engine.Forward(TestTemplates.Event("lamp-1", t, value));
        }

        await engine.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(30));

        var counters = engine.Counters.Snapshot();
        Assert.Equal(4, counters.RulesFired);
        Assert.Equal(new Dictionary<string, long> { ["failed"] = 2, ["ok"] = 1, ["202"] = 1 }, counters.AnswersByStatus);
        Assert.Equal(1, counters.CommandsAccepted);
        Assert.Equal(new ResourceRuleState("lamp-1", "Above", "lightOff", "202", 4), counters.Resources["lamp-1"]);
    }

    [Fact]
    public async Task WhenIdleAsync_NothingForwarded_CompletesAtOnce()
    {
        await using var engine = Engine(new RecordingActuator());

        Assert.True(engine.WhenIdleAsync().IsCompleted);
    }

    [Fact]
    public async Task StopAsync_EventsQueued_EvaluatesThemBeforeStopping()
    {
        var actuator = new RecordingActuator();
        var engine = Engine(actuator, "states");
        for (var i = 0; i < 20; i++)
        {
            engine.Forward(TestTemplates.Event("lamp-1", i, 400));
        }

        await engine.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(20, actuator.Calls.Count);
        engine.Forward(TestTemplates.Event("lamp-1", 99, 400));
        Assert.True(engine.WhenIdleAsync().IsCompleted);
        Assert.Equal(20, engine.Counters.Snapshot().EventsEvaluated);
        await engine.DisposeAsync();
    }
}
