namespace Queueing.Emulators.IoT.Sql;

internal enum SqlEvaluationKind
{
    /// <summary>The topic does not match the FROM filter, or WHERE is not true: the rule does nothing.</summary>
    NoMatch,

    /// <summary>The rule fires with <see cref="SqlEvaluation.Payload"/> as its output.</summary>
    Output,

    /// <summary>The statement cannot be evaluated on this message (e.g. fields of a non-JSON payload). AWS logs
    /// this and runs no action, not even the error action.</summary>
    Error,
}

internal sealed record SqlEvaluation(SqlEvaluationKind Kind, ReadOnlyMemory<byte> Payload, string? Reason)
{
    public static SqlEvaluation NoMatch(string reason) => new(SqlEvaluationKind.NoMatch, ReadOnlyMemory<byte>.Empty, reason);

    public static SqlEvaluation Output(ReadOnlyMemory<byte> payload) => new(SqlEvaluationKind.Output, payload, null);

    public static SqlEvaluation Error(string reason) => new(SqlEvaluationKind.Error, ReadOnlyMemory<byte>.Empty, reason);
}
