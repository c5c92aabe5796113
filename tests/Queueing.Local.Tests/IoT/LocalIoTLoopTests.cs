using System.Text;
using Amazon;
using Amazon.Runtime.Signing;
using Amazon.SQS;
using Queueing.Emulators.IoT.Broker;
using Queueing.Emulators.IoT.Data;
using Queueing.Emulators.IoT.Rules;
using Queueing.Local.Devices;
using Queueing.Testing;

namespace Queueing.Local.Tests.IoT;

/// <summary>
/// The local IoT Core composed as <c>up</c> composes it: simulated devices -> broker -> telemetry rule -> a real SQS
/// queue in moto, and signed IoT Data publishes -> broker -> the devices. Every message is counted.
/// </summary>
public sealed class LocalIoTLoopTests(MotoServer moto) : IClassFixture<MotoServer>
{
    [Fact]
    public async Task Loop_TelemetryAndCommands_EveryMessageArrivesAndNothingIsLost()
    {
        using var sqs = moto.CreateSqs();
        var ingest = (await sqs.CreateQueueAsync($"IngestQueue-{Guid.NewGuid():N}")).QueueUrl;
        var errors = (await sqs.CreateQueueAsync($"TelemetryRuleErrors-{Guid.NewGuid():N}")).QueueUrl;
        var rule = new TopicRuleDefinition(
            "TelemetryRule",
            "SELECT *, topic(2) AS deviceId, timestamp() AS receivedAt FROM 'devices/+/telemetry'",
            "2016-03-23",
            [new SqsRuleAction(ingest)],
            new SqsRuleAction(errors));
        await using var engine = new TopicRuleEngine([rule], sqs);
        await using var broker = new MqttBroker(new MqttBrokerOptions { Policy = QueueingApplication.DevicePolicy });
        broker.AddSink(engine);
        await engine.StartAsync(CancellationToken.None);
        await broker.StartAsync(CancellationToken.None);
        await using var endpoint = new IotDataEndpoint(new IotDataEndpointOptions(new SigV4Credentials(MotoServer.AccessKey, MotoServer.SecretKey), MotoServer.Region), broker);
        await endpoint.StartAsync(CancellationToken.None);
        await using var fleet = new SimulatedDeviceFleet(new SimulatedDeviceOptions { BrokerPort = broker.Port, Count = 5, MessagesPerDevice = 4, Interval = TimeSpan.Zero });

        await fleet.StartAsync(CancellationToken.None);
        await fleet.Completion.WaitAsync(MqttTestClient.Patience);
        using var http = new HttpClient(new SigV4SigningHandler(moto.Credentials, RegionEndpoint.USEast1, IotDataEndpoint.Service, new HttpClientHandler())) { BaseAddress = endpoint.BaseAddress };
        foreach (var device in fleet.Devices)
        {
            for (var i = 1; i <= 2; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, $"topics/{Uri.EscapeDataString(device.CommandTopic)}?qos=1")
                {
                    Content = new ByteArrayContent(Encoding.UTF8.GetBytes($$"""{"lightStatus":"{{(i == 1 ? "on" : "off")}}"}""")),
                };
                request.Headers.Add("x-amz-mqtt5-user-properties", Convert.ToBase64String(Encoding.UTF8.GetBytes($$"""[{"commandId":"{{device.ThingName}}-{{i}}"}]""")));
                using var response = await http.SendAsync(request);
                response.EnsureSuccessStatusCode();
            }
        }

        await Task.WhenAll(fleet.Devices.Select(d => d.WaitForCommandsAsync(2, CancellationToken.None))).WaitAsync(MqttTestClient.Patience);
        await engine.WhenIdleAsync(CancellationToken.None).WaitAsync(MqttTestClient.Patience);

        Assert.Equal(new FleetCounters(20, 0, 10, 5), fleet.Counters);
        Assert.Equal(20, await CountAsync(sqs, ingest));
        Assert.Equal(0, await CountAsync(sqs, errors));
        Assert.Equal(new TopicRuleCounters { MessagesMatched = 20, ActionsSucceeded = 20 }, engine.Counters);
        Assert.Equal(new IotDataCounters { Published = 10 }, endpoint.Counters);
        Assert.All(fleet.Devices, d => Assert.Equal([$"{d.ThingName}-1", $"{d.ThingName}-2"], d.Commands.Select(c => c.CommandId)));
    }

    private static async Task<int> CountAsync(IAmazonSQS sqs, string queueUrl) =>
        (await sqs.GetQueueAttributesAsync(queueUrl, ["ApproximateNumberOfMessages"])).ApproximateNumberOfMessages;
}
