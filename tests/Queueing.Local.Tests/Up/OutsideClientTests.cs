using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Queueing.Contracts.Settings;
using Queueing.Local.Cli;
using Queueing.Local.Tests.IoT;
using Queueing.Local.Tests.Support;
using Queueing.Local.Up;
using Queueing.Testing;

namespace Queueing.Local.Tests.Up;

/// <summary>
/// A device and a caller that are not part of the tool, joining a running <c>up</c> with nothing but what it printed
/// at start-up: a real MQTT client (MQTTnet) as thing <c>lamp-88</c>, and <c>send-command</c> as the caller.
/// </summary>
[Collection(UpCollection.Name)]
public sealed partial class OutsideClientTests
{
    [Fact]
    public async Task OwnDeviceAndCaller_UsingThePrintedLines_ItsCrossingGetsTheRulesCommand_AndASignedCommandReachesIt()
    {
        using var directory = new TempDirectory();
        using var stop = new CancellationTokenSource();
        var output = new CapturedWriter();
        var error = new CapturedWriter();
        var cli = new CliContext(output, error, new StringReader(string.Empty), RepositoryRoot.Path, ProcessEnvironment.Read(), TimeProvider.System);
        MqttTestClient.ReceivedMessage? ruleCommand = null;
        MqttTestClient.ReceivedMessage? sentCommand = null;
        CliRun? send = null;
        Exception? failure = null;
        var run = new UpRun(cli)
        {
            Started = async _ =>
            {
                try
                {
                    var printed = error.ToString();
                    var mqtt = MqttLine().Match(printed);
                    Assert.True(mqtt.Success, printed);
                    var telemetry = TopicLine().Match(printed).Groups["telemetry"].Value;
                    var commands = TopicLine().Match(printed).Groups["commands"].Value;
                    Assert.Equal(("devices/lamp-88/telemetry", "devices/lamp-88/commands"), (telemetry, commands));

                    // The client id is the thing name; the device policy lets it use its own topics only.
                    await using var device = await MqttTestClient.ConnectAsync(int.Parse(mqtt.Groups["port"].Value, CultureInfo.InvariantCulture), "lamp-88");
                    await device.SubscribeAsync(commands);
                    await device.PublishAsync(telemetry, """{"lightValue":420}""");
                    ruleCommand = await device.ReceiveAsync();

                    // The caller: exactly the printed send-command line, minus `dotnet run --project src/Local --`.
                    var line = SendCommandLine().Match(printed);
                    Assert.True(line.Success, printed);
                    send = await CliRun.RunAsync([.. Words(line.Groups["args"].Value)]);
                    sentCommand = await device.ReceiveAsync();
                }
                catch (Exception ex)
                {
                    failure = ex;
                }
                finally
                {
                    await stop.CancelAsync();
                }
            },
        };

        var exitCode = await run.RunAsync(
            new UpOptions { NoBuild = true, Devices = 1, View = UpView.Plain, LogFile = directory.File("up.log") },
            stop.Token);

        Assert.True(failure is null, failure?.ToString());
        Assert.Equal(ExitCodes.Cancelled, exitCode);
        // Above the threshold from no state: the light rule's lightOff, to lamp-88 and nowhere else.
        Assert.Equal(("devices/lamp-88/commands", """{"lightStatus":"off"}"""), (ruleCommand!.Topic, ruleCommand.Payload));
        Assert.True(send!.ExitCode == ExitCodes.Success, send.ToString());
        using var accepted = JsonDocument.Parse(send.Out);
        Assert.Equal("lamp-88", accepted.RootElement.GetProperty("deviceId").GetString());
        Assert.Equal(("devices/lamp-88/commands", """{"lightStatus":"on"}"""), (sentCommand!.Topic, sentCommand.Payload));
        Assert.Contains(KeyValuePair.Create("commandId", accepted.RootElement.GetProperty("commandId").GetString()!), sentCommand.UserProperties);

        // The books stay true with a stranger in the loop: its telemetry counts as sent and delivered, its two
        // commands (which the tool cannot see arrive) are reported beside the commands' books, not lost in them.
        Assert.Contains("  outside clients: 1 telemetry messages (in the telemetry books), 2 commands for devices not simulated", output.ToString(), StringComparison.Ordinal);
        Assert.Matches(@"(?m)^telemetry: sent (\d+), delivered \1, dead-lettered 0, lost 0$", output.ToString());
        Assert.Matches(@"(?m)^commands: sent (\d+), delivered \1, dead-lettered 0, lost 0$", output.ToString());
    }

    [Fact]
    public async Task SendCommand_BadSignature_IsRefused401_AndSaysSo()
    {
        // A caller with the wrong secret: the API answers 401 and the tool exits 1 with the problem on stdout.
        using var directory = new TempDirectory();
        using var stop = new CancellationTokenSource();
        var error = new CapturedWriter();
        var cli = new CliContext(new CapturedWriter(), error, new StringReader(string.Empty), RepositoryRoot.Path, ProcessEnvironment.Read(), TimeProvider.System);
        CliRun? send = null;
        var run = new UpRun(cli)
        {
            Started = async stack =>
            {
                try
                {
                    send = await CliRun.RunAsync(
                        ["send-command", "--url", stack.CommandApiUrl.ToString(), "--device", "lamp-88", "--signing-secret", "not-the-secret-of-this-stack-0123456789"]);
                }
                finally
                {
                    await stop.CancelAsync();
                }
            },
        };

        await run.RunAsync(new UpOptions { NoBuild = true, Devices = 1, View = UpView.Plain, LogFile = directory.File("up.log") }, stop.Token);

        Assert.True(send!.ExitCode == ExitCodes.FunctionFailed, send.ToString());
        Assert.Contains("HTTP 401", send.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("commandId", send.Out, StringComparison.Ordinal);
    }

    /// <summary>Splits a printed command line into arguments: spaces separate, single quotes group (as a shell reads it).</summary>
    private static IEnumerable<string> Words(string line) =>
        WordPattern().Matches(line).Select(m => m.Groups["quoted"].Success ? m.Groups["quoted"].Value : m.Groups["plain"].Value);

    [GeneratedRegex(@"^  MQTT +mqtt://127\.0\.0\.1:(?<port>\d+)/? ", RegexOptions.Multiline)]
    private static partial Regex MqttLine();

    [GeneratedRegex(@"^  telemetry +\S+, e\.g\. (?<telemetry>\S+) with[^\n]*\n  commands +\S+, e\.g\. (?<commands>\S+) ", RegexOptions.Multiline)]
    private static partial Regex TopicLine();

    [GeneratedRegex(@"^  send a signed command: dotnet run --project src/Local -- (?<args>.+)$", RegexOptions.Multiline)]
    private static partial Regex SendCommandLine();

    [GeneratedRegex(@"'(?<quoted>[^']*)'|(?<plain>[^\s']+)")]
    private static partial Regex WordPattern();
}
