using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Queueing.Emulators.IoT.Sql;

/// <summary>A parsed rule statement; <see cref="Evaluate"/> runs it against one message.</summary>
internal sealed class IotSqlStatement
{
    private readonly IReadOnlyList<SelectItem> _items;
    private readonly SqlExpression? _where;
    private readonly bool _passThrough;
    private readonly bool _whereReadsPayload;
    private readonly bool _selectReadsPayload;

    internal IotSqlStatement(string ruleName, string sql, string topicFilter, IReadOnlyList<SelectItem> items, SqlExpression? where)
    {
        RuleName = ruleName;
        Sql = sql;
        TopicFilter = topicFilter;
        _items = items;
        _where = where;

        // "SELECT *" alone hands the payload on untouched, whatever it is (AWS's binary-payload rule); a field, or
        // "*" next to other items, needs the payload as JSON.
        _passThrough = items is [WildcardItem];
        _whereReadsPayload = where?.ReadsPayload ?? false;
        _selectReadsPayload = !_passThrough && items.Any(i => i is WildcardItem || (i is ExpressionItem e && e.Expression.ReadsPayload));
    }

    public string RuleName { get; }

    public string Sql { get; }

    public string TopicFilter { get; }

    public bool MatchesTopic(string topic) => MqttTopics.Matches(TopicFilter, topic);

    /// <summary>Runs the statement. <paramref name="matchTopicFilter"/> false skips FROM, for a Basic Ingest message
    /// addressed to this rule by name (AWS makes FROM optional for those; one published test saw a FROM that did not
    /// match the topic still fire, while WHERE kept applying).</summary>
    public SqlEvaluation Evaluate(SqlMessage message, bool matchTopicFilter = true)
    {
        if (matchTopicFilter && !MatchesTopic(message.Topic))
        {
            return SqlEvaluation.NoMatch($"topic '{message.Topic}' does not match '{TopicFilter}'");
        }

        // WHERE is evaluated first, against the incoming payload; SELECT's aliases do not exist for it (AWS IoT SQL
        // reference, WHERE clause). A field of a payload that is not a JSON object is Undefined there, so a WHERE on
        // fields can run on any payload (the binary-payloads page's "SELECT * ... WHERE device_type = ...").
        JsonElement? root = null;
        if ((_whereReadsPayload || _selectReadsPayload) && message.TryGetJson(out var json))
        {
            root = json;
        }

        var payloadObject = root is { ValueKind: JsonValueKind.Object } ? root : null;
        var context = new SqlContext(message.Topic, message.ClientId, message.TimestampMs, message.Payload, payloadObject);
        if (_where is not null && !_where.Evaluate(context).IsTrue)
        {
            return SqlEvaluation.NoMatch("WHERE is not true");
        }

        if (_selectReadsPayload && root is null)
        {
            return SqlEvaluation.Error("the payload is not JSON but the SELECT reads it as JSON (only a bare SELECT * or encode(*, 'base64') takes a non-JSON payload)");
        }

        if (_selectReadsPayload && payloadObject is null && _items.Any(i => i is WildcardItem))
        {
            return SqlEvaluation.Error($"SELECT * with other items needs a JSON object payload, not a JSON {root!.Value.ValueKind.ToString().ToLowerInvariant()}");
        }

        return _passThrough ? SqlEvaluation.Output(message.Payload) : SqlEvaluation.Output(BuildObject(context));
    }

    private byte[] BuildObject(SqlContext context)
    {
        // Two items of one name (a payload field under "*" and an alias): AWS documents no precedence. Locally the
        // later item overwrites the earlier one in its place, so an alias after "*" wins. A rule that must not depend
        // on either answer keeps the alias's name out of the payload with its WHERE.
        var names = new List<string>();
        var values = new Dictionary<string, SqlValue>(StringComparer.Ordinal);
        void Set(string name, SqlValue value)
        {
            if (!values.ContainsKey(name))
            {
                names.Add(name);
            }

            values[name] = value;
        }

        foreach (var item in _items)
        {
            switch (item)
            {
                case WildcardItem when context.PayloadObject is { } payload:
                    foreach (var property in payload.EnumerateObject())
                    {
                        Set(property.Name, SqlValue.FromElement(property.Value));
                    }

                    break;
                case ExpressionItem expression:
                    Set(expression.Name, expression.Expression.Evaluate(context));
                    break;
            }
        }

        var buffer = new ArrayBufferWriter<byte>();
        // Relaxed escaping keeps non-ASCII text as sent instead of \uXXXX escapes.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            foreach (var name in names)
            {
                var value = values[name];
                if (value.Kind == SqlValueKind.Undefined)
                {
                    continue;
                }

                writer.WritePropertyName(name);
                value.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
