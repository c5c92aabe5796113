using System.CommandLine;
using System.CommandLine.Parsing;

namespace Queueing.Redrive.Cli;

/// <summary>Options several commands share, built fresh for each command (an option belongs to one command).</summary>
internal static class CommonOptions
{
    public static Argument<string> Queue(string description) => new("queue") { Description = description };

    public static Option<bool> Json() => new("--json") { Description = "Write JSON lines to stdout instead of tables (notes go to stderr)." };

    public static Option<bool> AnyQueue() => new("--any-queue")
    {
        Description = "Work on a queue that is no queue's dead-letter queue (e.g. TelemetryRuleErrors, an IoT rule's error-action queue).",
    };

    public static Option<int?> Max(string description, int? defaultValue = null)
    {
        var option = new Option<int?>("--max") { Description = description };
        if (defaultValue is { } value)
        {
            option.DefaultValueFactory = _ => value;
        }

        option.Validators.Add(result =>
        {
            if (!NotAnInteger(result) && result.GetValueOrDefault<int?>() is <= 0)
            {
                result.AddError("--max must be a positive number.");
            }
        });
        return option;
    }

    public static Option<int> VisibilityTimeout(int defaultSeconds)
    {
        var option = new Option<int>("--visibility-timeout")
        {
            Description = $"Seconds each received message stays hidden while the command scans (default {defaultSeconds}); must outlast the scan. If the tool is killed, messages come back after this time.",
            DefaultValueFactory = _ => defaultSeconds,
        };
        option.Validators.Add(result =>
        {
            if (!NotAnInteger(result) && result.GetValueOrDefault<int>() is < 1 or > ScanSettings.MaxVisibilityTimeoutSeconds)
            {
                result.AddError($"--visibility-timeout must be between 1 and {ScanSettings.MaxVisibilityTimeoutSeconds} seconds.");
            }
        });
        return option;
    }

    // A value that is no int (e.g. "x", or too large): System.CommandLine reports it as a usage error ("Cannot parse
    // argument ..."), but reading it in a validator throws, which would crash the tool instead.
    private static bool NotAnInteger(OptionResult result) => result.Tokens is [var token] && !int.TryParse(token.Value, out _);
}

/// <summary>--kind, --device, --since, --grep: which messages a command acts on.</summary>
internal sealed class FilterOptions
{
    public Option<string[]> Kind { get; } = new("--kind")
    {
        Description = $"Only messages of this kind ({string.Join(", ", DeadLetterKindNames.All)}); repeat or comma-separate for several.",
    };

    public Option<string?> Device { get; } = new("--device")
    {
        Description = "Only messages of this device: the body's top-level deviceId, else the FIFO message group.",
    };

    public Option<string?> Since { get; } = new("--since")
    {
        Description = "Only messages that entered the queue at or after this time: ISO 8601 (2026-11-27T08:00Z) or an age (30m, 2h, 3d).",
    };

    public Option<string?> Grep { get; } = new("--grep")
    {
        Description = "Only messages whose body or error text contains this text (case-insensitive).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Kind);
        command.Options.Add(Device);
        command.Options.Add(Since);
        command.Options.Add(Grep);
    }

    public MessageFilter Bind(ParseResult parse, TimeProvider time)
    {
        var kinds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in parse.GetValue(Kind) ?? [])
        {
            foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var kind = part.ToLowerInvariant();
                if (!DeadLetterKindNames.All.Contains(kind))
                {
                    throw new UsageException($"--kind '{part}' is not a kind; use one of {string.Join(", ", DeadLetterKindNames.All)}.");
                }

                kinds.Add(kind);
            }
        }

        var since = parse.GetValue(Since) is { Length: > 0 } sinceText ? SinceArgument.Parse(sinceText, time) : (DateTimeOffset?)null;
        return new MessageFilter(kinds, NullIfEmpty(parse.GetValue(Device)), since, NullIfEmpty(parse.GetValue(Grep)));
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
