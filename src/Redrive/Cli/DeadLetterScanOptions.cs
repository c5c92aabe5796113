using System.CommandLine;
using Amazon.SQS;

namespace Queueing.Redrive.Cli;

/// <summary>
/// What the commands that scan a dead-letter queue (peek, export, redrive) share: the queue argument, the filters,
/// --max, --json, --visibility-timeout and --any-queue, added in one order, and their reading.
/// </summary>
internal sealed class DeadLetterScanOptions(string maxDescription, int? maxDefault, int visibilityDefault)
{
    public Argument<string> Queue { get; } = CommonOptions.Queue("The dead-letter queue: name, URL or ARN.");
    public FilterOptions Filters { get; } = new();
    public Option<int?> Max { get; } = CommonOptions.Max(maxDescription, maxDefault);
    public Option<bool> Json { get; } = CommonOptions.Json();
    public Option<int> Visibility { get; } = CommonOptions.VisibilityTimeout(visibilityDefault);
    public Option<bool> AnyQueue { get; } = CommonOptions.AnyQueue();

    /// <summary>
    /// The command with, in help's order: the queue, <paramref name="afterQueue"/>, the filters, --max,
    /// <paramref name="afterMax"/>, --json, --visibility-timeout, --any-queue.
    /// </summary>
    public Command Command(string name, string description, Option[] afterQueue, Option[] afterMax)
    {
        var command = new Command(name, description);
        command.Arguments.Add(Queue);
        AddAll(command, afterQueue);
        Filters.AddTo(command);
        AddAll(command, [Max, .. afterMax, Json, Visibility, AnyQueue]);
        return command;
    }

    public MessageFilter Filter(ParseResult parse, CliContext cli) => Filters.Bind(parse, cli.Time);

    public ScanSettings Settings(ParseResult parse) => new(parse.GetValue(Visibility));

    /// <summary>Connects and resolves the queue argument to a dead-letter queue (and its sources).</summary>
    public async Task<(IAmazonSQS Sqs, QueueDirectory Directory, SqsQueue Dlq, IReadOnlyList<SqsQueue> Sources)> ResolveAsync(
        CliContext cli, ParseResult parse, CancellationToken cancellationToken)
    {
        var (sqs, directory) = cli.Connect(parse);
        var (dlq, sources) = await directory.ResolveDeadLetterQueueAsync(parse.GetValue(Queue)!, parse.GetValue(AnyQueue), cancellationToken);
        return (sqs, directory, dlq, sources);
    }

    private static void AddAll(Command command, Option[] options)
    {
        foreach (var option in options)
        {
            command.Options.Add(option);
        }
    }
}
