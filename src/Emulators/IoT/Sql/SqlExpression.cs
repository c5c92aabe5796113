using System.Text.Json;

namespace Queueing.Emulators.IoT.Sql;

/// <summary>What an expression can see while one message is evaluated.</summary>
internal sealed class SqlContext(string topic, string clientId, long timestampMs, ReadOnlyMemory<byte> payload, JsonElement? payloadObject)
{
    private string[]? _segments;

    public string Topic { get; } = topic;

    /// <summary>The payload's bytes as published, whatever they are.</summary>
    public ReadOnlyMemory<byte> Payload { get; } = payload;

    public string ClientId { get; } = clientId;

    public long TimestampMs { get; } = timestampMs;

    /// <summary>The payload when it is a JSON object; field paths into anything else are Undefined.</summary>
    public JsonElement? PayloadObject { get; } = payloadObject;

    public string[] TopicSegments => _segments ??= Topic.Split('/');
}

internal abstract record SqlExpression
{
    public abstract SqlValue Evaluate(SqlContext context);

    /// <summary>Whether evaluating this reads the payload (so a non-JSON payload cannot be evaluated).</summary>
    public abstract bool ReadsPayload { get; }
}

internal sealed record LiteralExpression(SqlValue Value) : SqlExpression
{
    public override SqlValue Evaluate(SqlContext context) => Value;

    public override bool ReadsPayload => false;
}

internal sealed record FieldPathExpression(IReadOnlyList<string> Segments) : SqlExpression
{
    public string Name => Segments[^1];

    public override SqlValue Evaluate(SqlContext context)
    {
        if (context.PayloadObject is not { } current)
        {
            return SqlValue.Undefined;
        }

        foreach (var segment in Segments)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(segment, out current))
            {
                return SqlValue.Undefined;
            }
        }

        return SqlValue.FromElement(current);
    }

    public override bool ReadsPayload => true;
}

/// <summary><c>topic()</c> is the whole topic; <c>topic(n)</c> the n-th level from 1, Undefined past the last.</summary>
internal sealed record TopicFunction(int? Segment) : SqlExpression
{
    public override SqlValue Evaluate(SqlContext context)
    {
        if (Segment is not { } n)
        {
            return SqlValue.FromString(context.Topic);
        }

        var segments = context.TopicSegments;
        return n <= segments.Length ? SqlValue.FromString(segments[n - 1]) : SqlValue.Undefined;
    }

    public override bool ReadsPayload => false;
}

/// <summary><c>timestamp()</c>: Unix milliseconds as observed by the rules engine (one value per message).</summary>
internal sealed record TimestampFunction : SqlExpression
{
    public override SqlValue Evaluate(SqlContext context) => SqlValue.FromNumber(context.TimestampMs);

    public override bool ReadsPayload => false;
}

/// <summary><c>clientid()</c>: the MQTT client id, or <c>n/a</c> when the message did not arrive over MQTT.</summary>
internal sealed record ClientIdFunction : SqlExpression
{
    public override SqlValue Evaluate(SqlContext context) => SqlValue.FromString(context.ClientId);

    public override bool ReadsPayload => false;
}

/// <summary><c>encode(*, 'base64')</c>: the payload's bytes as base64 text, for JSON and non-JSON payloads alike.</summary>
internal sealed record EncodePayloadFunction : SqlExpression
{
    public override SqlValue Evaluate(SqlContext context) => SqlValue.FromString(Convert.ToBase64String(context.Payload.Span));

    // It reads the bytes, never their JSON: a payload that is not JSON is encoded as well.
    public override bool ReadsPayload => false;
}

/// <summary><c>isNull(x)</c> and <c>isUndefined(x)</c>, AWS's way to test for null and for a missing field.</summary>
internal sealed record IsKindFunction(SqlValueKind Kind, SqlExpression Argument) : SqlExpression
{
    public override SqlValue Evaluate(SqlContext context) => SqlValue.FromBoolean(Argument.Evaluate(context).Kind == Kind);

    public override bool ReadsPayload => Argument.ReadsPayload;
}

internal enum ComparisonOperator
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// <summary>The comparison operators as the AWS IoT SQL reference tables define them.</summary>
internal sealed record ComparisonExpression(ComparisonOperator Operator, SqlExpression Left, SqlExpression Right) : SqlExpression
{
    public override SqlValue Evaluate(SqlContext context)
    {
        var left = Left.Evaluate(context);
        var right = Right.Evaluate(context);
        switch (Operator)
        {
            case ComparisonOperator.Equal:
                return SqlValue.AreEqual(left, right);
            case ComparisonOperator.NotEqual:
                var equal = SqlValue.AreEqual(left, right);
                return equal.Kind == SqlValueKind.Boolean ? SqlValue.FromBoolean(!equal.IsTrue) : equal;
        }

        // Ordering converts both sides to Decimal (numeric strings included); anything else is Undefined.
        if (!left.TryGetDecimal(out var l) || !right.TryGetDecimal(out var r))
        {
            return SqlValue.Undefined;
        }

        return SqlValue.FromBoolean(Operator switch
        {
            ComparisonOperator.Less => l < r,
            ComparisonOperator.LessOrEqual => l <= r,
            ComparisonOperator.Greater => l > r,
            _ => l >= r,
        });
    }

    public override bool ReadsPayload => Left.ReadsPayload || Right.ReadsPayload;
}

/// <summary>AND / OR: both operands must convert to Boolean, otherwise the result is Undefined (no short cut,
/// as the reference table has it).</summary>
internal sealed record LogicalExpression(bool IsAnd, SqlExpression Left, SqlExpression Right) : SqlExpression
{
    public override SqlValue Evaluate(SqlContext context)
    {
        if (!Left.Evaluate(context).TryGetBoolean(out var l) || !Right.Evaluate(context).TryGetBoolean(out var r))
        {
            return SqlValue.Undefined;
        }

        return SqlValue.FromBoolean(IsAnd ? l && r : l || r);
    }

    public override bool ReadsPayload => Left.ReadsPayload || Right.ReadsPayload;
}

internal sealed record NotExpression(SqlExpression Operand) : SqlExpression
{
    public override SqlValue Evaluate(SqlContext context) =>
        Operand.Evaluate(context).TryGetBoolean(out var value) ? SqlValue.FromBoolean(!value) : SqlValue.Undefined;

    public override bool ReadsPayload => Operand.ReadsPayload;
}

/// <summary>One item of the SELECT list: <c>*</c>, or an expression with its output name.</summary>
internal abstract record SelectItem;

internal sealed record WildcardItem : SelectItem;

internal sealed record ExpressionItem(SqlExpression Expression, string Name) : SelectItem;
