using System.Globalization;
using Spectre.Console;

namespace Queueing.Redrive.Commands.Redrive;

/// <summary>The end of a redrive: what moved, what was skipped, what failed and why.</summary>
internal static class RedriveReport
{
    private const int MaxRowsListed = 50;

    public static void Write(CliConsole console, SqsQueue dlq, RedriveResult result, bool json)
    {
        var scan = result.Scan!;
        if (json)
        {
            foreach (var outcome in result.Outcomes)
            {
                console.WriteJsonLine(outcome, DlqJsonContext.Default.MessageOutcomeLine);
            }

            console.WriteJsonLine(
                new RedriveSummaryLine("redrive", result.DryRun, scan.Examined, result.Moved, result.WouldMove, result.SkippedByFilter, result.Failed, scan.NotReached, scan.Interrupted),
                DlqJsonContext.Default.RedriveSummaryLine);
        }
        else
        {
            if (result.DryRun && result.WouldMove > 0)
            {
                WriteWouldMove(console, result);
            }

            WriteSummary(console, dlq, result);
            WriteFailures(console, result);
        }

        foreach (var note in scan.Notes())
        {
            console.Note(note);
        }

        if (result.ScanError is { } error)
        {
            console.Error.WriteLine($"error: the scan stopped early: {error}");
        }

        if (result.DryRun)
        {
            console.Note("Dry run: nothing was sent or deleted.");
        }
    }

    private static void WriteSummary(CliConsole console, SqsQueue dlq, RedriveResult result)
    {
        var scan = result.Scan!;
        var table = new Table().Border(TableBorder.Rounded).AddColumn("Outcome").AddColumn(new TableColumn("Messages").RightAligned());
        table.Title = new TableTitle(Markup.Escape(result.DryRun ? $"Dry run over {dlq.Name}" : $"Redrive from {dlq.Name}"));
        if (result.DryRun)
        {
            table.AddRow(Format.Cell("Would move"), Count(result.WouldMove));
        }
        else
        {
            table.AddRow(Format.Cell("Moved"), Count(result.Moved));
        }

        table.AddRow(Format.Cell("Skipped by filter"), Count(result.SkippedByFilter));
        table.AddRow(Format.Cell("Failed"), Count(result.Failed));
        table.AddRow(Format.Cell("Examined"), Count(scan.Examined));
        if (scan.NotReached > 0 && !scan.StoppedAtMax)
        {
            table.AddRow(Format.Cell("Not reached"), Count(scan.NotReached));
        }

        console.Out.Write(table);
        foreach (var byTarget in result.Outcomes.Where(o => o.Outcome is Outcomes.Moved or Outcomes.WouldMove).GroupBy(o => o.Target))
        {
            console.Out.WriteLine($"  {(result.DryRun ? "would go" : "went")} to {byTarget.Key}: {byTarget.Count()}");
        }
    }

    private static void WriteWouldMove(CliConsole console, RedriveResult result)
    {
        var targets = result.Outcomes.Where(o => o.Outcome == Outcomes.WouldMove).ToDictionary(o => o.MessageId, o => o.Target, StringComparer.Ordinal);
        var table = Format.Table("Message id", "Kind", "Device", "Error", "To");
        foreach (var letter in result.WouldMoveLetters.Take(MaxRowsListed))
        {
            table.AddRow(Format.Cell(letter.MessageId), Format.Cell(letter.Kind), Format.Cell(letter.Device), Format.Cell(Format.Preview(letter.Error, 60)), Format.Cell(targets[letter.MessageId]));
        }

        if (result.WouldMove > MaxRowsListed)
        {
            table.Caption = new TableTitle($"... and {result.WouldMove - MaxRowsListed} more (--json lists all)");
        }

        console.Out.Write(table);
    }

    private static void WriteFailures(CliConsole console, RedriveResult result)
    {
        var failures = result.Outcomes.Where(o => o.Outcome == Outcomes.Failed).ToList();
        if (failures.Count == 0)
        {
            return;
        }

        var table = Format.Table("Failed because", "Messages", "For example");
        foreach (var reason in failures.GroupBy(f => f.Error ?? "(no reason)").OrderByDescending(g => g.Count()))
        {
            table.AddRow(Format.Cell(reason.Key), Format.Cell(reason.Count().ToString(CultureInfo.InvariantCulture)), Format.Cell(string.Join(", ", reason.Take(3).Select(f => f.MessageId))));
        }

        console.Out.Write(table);
        console.Out.WriteLine("Failed messages are still in the dead-letter queue (unless the reason says they are in both queues).");
    }

    private static Text Count(long value) => new(Format.Number(value));
}
