using System.CommandLine;
using Amazon.SQS;

namespace Queueing.Redrive.Cli;

/// <summary>What every command needs: where to write, how to build the SQS client, the clock, the global options.</summary>
internal sealed class CliContext(CliConsole console, SqsClientFactory clients, TimeProvider time)
{
    public CliConsole Console { get; } = console;
    public TimeProvider Time { get; } = time;

    public Option<string?> Profile { get; } = new("--profile")
    {
        Description = "AWS profile from ~/.aws/config (default: AWS_PROFILE or the default credential chain).",
        Recursive = true,
    };

    public Option<string?> Region { get; } = new("--region")
    {
        Description = "AWS region (default: AWS_REGION or the profile's region).",
        Recursive = true,
    };

    public Option<string?> EndpointUrl { get; } = new("--endpoint-url")
    {
        Description = "SQS endpoint to use instead of AWS's, e.g. the local stack's moto (http://127.0.0.1:5000). AWS_ENDPOINT_URL(_SQS) works too.",
        Recursive = true,
    };

    /// <summary>The connection of the command being run, so the error boundary can say where it failed.</summary>
    public ConnectionOptions Connection { get; private set; } = new(null, null, null);

    /// <summary>The SQS client of this command, and a queue directory that notes on stderr which queue a short name matched.</summary>
    public (IAmazonSQS Sqs, QueueDirectory Directory) Connect(ParseResult parse)
    {
        var sqs = CreateClient(parse);
        return (sqs, new QueueDirectory(sqs, Connection, Console.Note));
    }

    public IAmazonSQS CreateClient(ParseResult parse)
    {
        Uri? endpoint = null;
        if (parse.GetValue(EndpointUrl) is { Length: > 0 } text
            && (!Uri.TryCreate(text, UriKind.Absolute, out endpoint) || endpoint.Scheme is not ("http" or "https")))
        {
            throw new UsageException($"--endpoint-url '{text}' is not an http(s) URL.");
        }

        Connection = new ConnectionOptions(parse.GetValue(Profile), parse.GetValue(Region), endpoint);
        return clients.Create(Connection);
    }
}
