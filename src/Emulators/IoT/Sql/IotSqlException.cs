namespace Queueing.Emulators.IoT.Sql;

/// <summary>
/// A topic rule's SQL that the local rules engine refuses at start-up: either outside the supported subset
/// (<see cref="Construct"/> names it) or not valid SQL at all. The message names the rule, the construct and the
/// position, so the user can fix the template or knows what the local stack does not emulate.
/// </summary>
internal sealed class IotSqlException : Exception
{
    public IotSqlException(string ruleName, string sql, int position, string problem, string? construct)
        : base(Format(ruleName, sql, position, problem, construct))
    {
        RuleName = ruleName;
        Position = position;
        Construct = construct;
    }

    public string RuleName { get; }

    /// <summary>The unsupported construct, or null for a plain syntax error.</summary>
    public string? Construct { get; }

    /// <summary>Zero-based character offset in the SQL.</summary>
    public int Position { get; }

    public const string SupportedSubset =
        "The local IoT rules engine supports SQL version 2016-03-23 with: SELECT * and/or expressions with AS aliases; " +
        "field paths (a.b); string, number, true/false/NULL literals; topic(), topic(n), timestamp(), clientid(), " +
        "isNull(x), isUndefined(x), encode(*, 'base64'); FROM 'topic/filter' with + and #; WHERE with =, <>, <, <=, >, >=, AND, OR, NOT " +
        "and parentheses.";

    private static string Format(string ruleName, string sql, int position, string problem, string? construct) =>
        construct is null
            ? $"Topic rule '{ruleName}': {problem} at position {position} in \"{sql}\"."
            : $"Topic rule '{ruleName}': {construct} is not supported by the local IoT rules engine (at position {position} in \"{sql}\"). {problem}{(problem.Length > 0 ? " " : string.Empty)}{SupportedSubset}";
}
