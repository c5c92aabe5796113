using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Queueing.Local.Up;

/// <summary>How a <see cref="StackSnapshot"/> looks: the live Spectre.Console view, the plain status line, the summary.</summary>
internal static class StackView
{
    private const int MaxDeviceRows = 12;

    /// <summary>The live view: per device, per stage, per queue, per function.</summary>
    public static IRenderable Render(StackSnapshot s, string header)
    {
        var devices = new Table().Border(TableBorder.Rounded).Title("[bold]Devices[/]")
            .AddColumns("Device", "Connected", "Last light value", "Last command", "Commands", "Command status");
        foreach (var d in s.Devices.Take(MaxDeviceRows))
        {
            devices.AddRow(
                Markup.Escape(d.ThingName),
                d.Connected ? "[green]yes[/]" : "[red]no[/]",
                d.LastValue?.ToString(CultureInfo.InvariantCulture) ?? "-",
                Markup.Escape(d.LastCommand ?? "-"),
                d.CommandsReceived.ToString(CultureInfo.InvariantCulture),
                StatusMarkup(d.LastCommandStatus));
        }

        if (s.Devices.Count > MaxDeviceRows)
        {
            devices.AddRow($"... {s.Devices.Count - MaxDeviceRows} more", string.Empty, string.Empty, string.Empty, string.Empty, string.Empty);
        }

        var stages = new Table().Border(TableBorder.Rounded).Title("[bold]Stages[/]").AddColumns("Stage", "Count");
        foreach (var (stage, count) in Stages(s))
        {
            stages.AddRow(Markup.Escape(stage), count.ToString(CultureInfo.InvariantCulture));
        }

        var queues = new Table().Border(TableBorder.Rounded).Title("[bold]Queues[/]").AddColumns("Queue", "Visible", "In flight", "Delayed");
        foreach (var q in s.Queues)
        {
            var name = q.IsDeadLetterQueue && q.Total > 0 ? $"[red]{Markup.Escape(q.Name)}[/]" : Markup.Escape(q.Name);
            queues.AddRow(name, Number(q.Visible), Number(q.InFlight), Number(q.Delayed));
        }

        var functions = new Table().Border(TableBorder.Rounded).Title("[bold]Functions[/]").AddColumns("Function", "Invocations", "Errors", "Last error");
        foreach (var f in s.Functions)
        {
            functions.AddRow(
                Markup.Escape(f.LogicalId),
                Number(f.Invocations),
                f.Errors > 0 ? $"[red]{f.Errors}[/]" : "0",
                Markup.Escape(Shorten(f.LastError ?? "-", 60)));
        }

        var books = new Rows(
            new Markup($"[bold]telemetry:[/] {Markup.Escape(s.Telemetry.LiveLine)}"),
            new Markup($"[bold]commands:[/]  {Markup.Escape(s.Commands.LiveLine)}"),
            new Markup($"[bold]acks:[/] {Markup.Escape(s.Acks.Line["acks: ".Length..])}"),
            new Markup($"[bold]loop latency:[/] {Markup.Escape(s.LoopLatency.Line["loop latency: ".Length..])}"));
        return new Rows(
            new Markup(Markup.Escape(header)),
            devices,
            new Columns(stages, new Rows(queues, functions)),
            books);
    }

    /// <summary>The counts from device to Waylay and back, in the order a message meets them.</summary>
    public static IReadOnlyList<(string Stage, long Count)> Stages(StackSnapshot s)
    {
        var ingest = s.Pollers.Where(p => p.Function.Contains("Ingest", StringComparison.Ordinal)).ToList();
        var publisher = s.Pollers.Where(p => !p.Function.Contains("Ingest", StringComparison.Ordinal)).ToList();
        return
        [
            ("telemetry published (MQTT)", s.Telemetry.Sent),
            ("queued by the topic rule", s.Rules.ActionsSucceeded),
            ("topic rule errors", s.Rules.ErrorsRouted + s.Rules.ErrorsUnrouted + s.Rules.SqlErrors),
            ("received by the ingest function", ingest.Sum(p => p.Counters.Received)),
            ("ingest function invocations", ingest.Sum(p => p.Counters.Invocations)),
            ("forwarded to Waylay", s.Waylay.Broker.DistinctEvents),
            ("Waylay faults injected", s.Waylay.Broker.FaultsInjected),
            ("rules fired", s.Waylay.Rules.RulesFired),
            ("commands accepted by the API", s.CommandsAccepted),
            ("commands published to IoT", s.IotData.Published),
            ("commands received by devices", s.Fleet.CommandsReceived),
            ("received by the publisher", publisher.Sum(p => p.Counters.Received)),
        ];
    }

    /// <summary>One line for logs and CI.</summary>
    public static string StatusLine(StackSnapshot s) => string.Create(
        CultureInfo.InvariantCulture,
        $"[{s.Elapsed:mm\\:ss}] published {s.Fleet.Published}, queued {s.Rules.ActionsSucceeded}, to Waylay {s.Waylay.Broker.DistinctEvents}, " +
        $"rules fired {s.Waylay.Rules.RulesFired}, commands accepted {s.CommandsAccepted}, received {s.Fleet.CommandsReceived}, " +
        $"acked {s.Acks.Acknowledged} done/{s.Acks.Failed} failed/{s.Acks.Silent} silent; " +
        $"DLQs {s.Queues.Where(q => q.IsDeadLetterQueue).Sum(q => q.Total)}; function errors {s.Functions.Sum(f => f.Errors)}; {s.LoopLatency.Line}");

    /// <summary>The summary of a run; its last three lines are the loop latency and the books of each flow, after the
    /// devices' acks and the command statuses Waylay saw.</summary>
    public static IReadOnlyList<string> Summary(StackSnapshot s)
    {
        var lines = new List<string> { $"Summary after {s.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s:" };
        lines.AddRange(Stages(s).Select(x => string.Create(CultureInfo.InvariantCulture, $"  {x.Stage,-34} {x.Count,8}")));
        foreach (var q in s.Queues.Where(q => q.Total > 0))
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"  queue {q.Name}: {q.Visible} visible, {q.InFlight} in flight, {q.Delayed} delayed"));
        }

        foreach (var f in s.Functions.Where(f => f.Errors > 0))
        {
            lines.Add($"  {f.LogicalId}: {f.Errors} errors of {f.Invocations} invocations; last: {f.LastError}");
        }

        if (!s.Telemetry.QueuesRead)
        {
            lines.Add("  queues: not read (the local AWS is gone, and what its queues held with it)");
        }

        foreach (var flow in new[] { s.Telemetry, s.Commands })
        {
            if (flow.QueuesRead && flow.Lost > 0 && flow.InFlight > 0)
            {
                lines.Add($"  {flow.Flow}: {flow.InFlight} still in flight when the run ended (counted as lost)");
            }

            if (flow.Duplicates > 0)
            {
                lines.Add($"  {flow.Flow}: {flow.Duplicates} delivered more than once (a retry of a request that had landed)");
            }
        }

        if (s.Outside.TelemetryPublished > 0 || s.Outside.CommandsAccepted > 0)
        {
            lines.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"  outside clients: {s.Outside.TelemetryPublished} telemetry messages (in the telemetry books), {s.Outside.CommandsAccepted} commands for devices not simulated (not in the commands' books)"));
        }

        lines.Add("  " + s.Ingest.Line);
        lines.Add(s.Acks.Line);
        lines.Add(s.CommandStatuses.Line);
        lines.Add(s.LoopLatency.Line);
        lines.Add($"telemetry: {s.Telemetry.Line}");
        lines.Add($"commands: {s.Commands.Line}");
        return lines;
    }

    /// <summary>A command status, red when the command failed or never reached the device.</summary>
    private static string StatusMarkup(string? status) => status switch
    {
        null => "-",
        "failed" or "expired" or "rejected" or "undelivered" or "ackDue" or "ack failed" or "ack not published" => $"[red]{Markup.Escape(status)}[/]",
        "acknowledged" => "[green]acknowledged[/]",
        _ => Markup.Escape(status),
    };

    private static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
