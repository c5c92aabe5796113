using System.Globalization;

namespace Queueing.Emulators.IoT.Sql;

/// <summary>
/// Parses a subset of AWS IoT SQL (version 2016-03-23), once at start-up. Anything
/// outside it is refused with an <see cref="IotSqlException"/> naming the rule and the construct, never skipped:
/// a rule the local stack cannot evaluate faithfully must not silently behave differently from AWS.
/// </summary>
internal static class IotSqlParser
{
    public const string SupportedVersion = "2016-03-23";

    /// <summary>What AWS uses when <c>AwsIotSqlVersion</c> is not set.</summary>
    public const string AwsDefaultVersion = "2015-10-08";

    // Words that end or structure an expression; they cannot be field names without quoting, which AWS lacks.
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "SELECT", "FROM", "WHERE", "AS", "AND", "OR", "NOT", "IS", "IN", "LIKE", "BETWEEN", "CASE", "WHEN", "THEN",
        "ELSE", "END", "SET", "GROUP", "ORDER", "LIMIT", "HAVING", "DISTINCT",
    };

    public static IotSqlStatement Parse(string ruleName, string sql, string? sqlVersion)
    {
        var version = sqlVersion ?? AwsDefaultVersion;
        if (version != SupportedVersion)
        {
            throw new IotSqlException(
                ruleName, sql, 0,
                $"Set AwsIotSqlVersion to '{SupportedVersion}' (AWS's default when it is omitted is '{AwsDefaultVersion}', whose typing differs).",
                $"SQL version '{version}'");
        }

        return new Parser(ruleName, sql).ParseStatement();
    }

    private sealed class Parser
    {
        private readonly string _ruleName;
        private readonly string _sql;
        private readonly List<SqlToken> _tokens;
        private int _index;

        public Parser(string ruleName, string sql)
        {
            _ruleName = ruleName;
            _sql = sql;
            _tokens = SqlTokenizer.Tokenize(sql, (construct, at) => Refused(construct, at), (problem, at) => SyntaxError(problem, at));
        }

        private SqlToken Current => _tokens[_index];

        private SqlToken Peek(int ahead = 1) => _tokens[Math.Min(_index + ahead, _tokens.Count - 1)];

        private SqlToken Next() => _tokens[_index++];

        public IotSqlStatement ParseStatement()
        {
            if (Current.IsKeyword("SET"))
            {
                throw Refused("a SET clause (variables)", Current.Position);
            }

            Expect("SELECT");
            if (Current.IsKeyword("DISTINCT"))
            {
                throw Refused("SELECT DISTINCT", Current.Position);
            }

            if (Current.IsKeyword("VALUE") && !(Peek().IsSymbol(",") || Peek().IsKeyword("FROM") || Peek().IsKeyword("AS") || Peek().IsSymbol(".")))
            {
                throw Refused("SELECT VALUE", Current.Position);
            }

            var items = new List<SelectItem> { ParseSelectItem() };
            while (Current.IsSymbol(","))
            {
                Next();
                var item = ParseSelectItem();
                if (item is WildcardItem && items.Any(i => i is WildcardItem))
                {
                    throw SyntaxError("'*' appears twice in the SELECT list", _tokens[_index - 1].Position);
                }

                items.Add(item);
            }

            if (!Current.IsKeyword("FROM"))
            {
                throw SyntaxError($"expected ',' or FROM but found {Current.Describe()}", Current.Position);
            }

            Next();
            var filterToken = Current;
            if (filterToken.Kind != SqlTokenKind.String)
            {
                throw SyntaxError($"expected a quoted topic filter after FROM but found {filterToken.Describe()}", filterToken.Position);
            }

            Next();
            if (MqttTopics.ProblemWithTopicFilter(filterToken.Text) is { } filterProblem)
            {
                throw SyntaxError(filterProblem, filterToken.Position);
            }

            SqlExpression? where = null;
            if (Current.IsKeyword("WHERE"))
            {
                Next();
                where = ParseExpression();
            }

            if (Current.Kind == SqlTokenKind.Identifier && Reserved.Contains(Current.Text))
            {
                throw Refused($"{Current.Text.ToUpperInvariant()} here", Current.Position);
            }

            if (Current.Kind != SqlTokenKind.End)
            {
                throw SyntaxError($"unexpected {Current.Describe()}", Current.Position);
            }

            return new IotSqlStatement(_ruleName, _sql, filterToken.Text, items, where);
        }

        private SelectItem ParseSelectItem()
        {
            if (Current.IsSymbol("*"))
            {
                Next();
                return new WildcardItem();
            }

            var start = Current.Position;
            var expression = ParseExpression();
            if (Current.IsKeyword("AS"))
            {
                Next();
                var alias = Current;
                if (alias.Kind != SqlTokenKind.Identifier || Reserved.Contains(alias.Text))
                {
                    throw SyntaxError($"expected a name after AS but found {alias.Describe()}", alias.Position);
                }

                Next();
                return new ExpressionItem(expression, alias.Text);
            }

            if (expression is FieldPathExpression path)
            {
                return new ExpressionItem(expression, path.Name);
            }

            // AWS invents a key for an unnamed computed item; the local engine asks for the name instead.
            throw Refused("a computed SELECT item without an alias", start, "Name it with AS.");
        }

        private SqlExpression ParseExpression() => ParseOr();

        private SqlExpression ParseOr() => ParseLogical(isAnd: false, ParseAnd);

        private SqlExpression ParseAnd() => ParseLogical(isAnd: true, ParseNot);

        /// <summary>
        /// A chain of one logical operator over operands that bind tighter, left-associative:
        /// <c>a OR b OR c</c> is <c>(a OR b) OR c</c>.
        /// </summary>
        private SqlExpression ParseLogical(bool isAnd, Func<SqlExpression> parseOperand)
        {
            var keyword = isAnd ? "AND" : "OR";
            var left = parseOperand();
            while (Current.IsKeyword(keyword))
            {
                Next();
                left = new LogicalExpression(isAnd, left, parseOperand());
            }

            return left;
        }

        private SqlExpression ParseNot()
        {
            if (Current.IsKeyword("NOT"))
            {
                Next();
                return new NotExpression(ParseNot());
            }

            return ParseComparison();
        }

        private SqlExpression ParseComparison()
        {
            var left = ParsePrimary();
            RefuseOperatorsAfterOperand();
            var op = Current.Text switch
            {
                "=" => ComparisonOperator.Equal,
                "<>" => ComparisonOperator.NotEqual,
                "<" => ComparisonOperator.Less,
                "<=" => ComparisonOperator.LessOrEqual,
                ">" => ComparisonOperator.Greater,
                ">=" => ComparisonOperator.GreaterOrEqual,
                _ => (ComparisonOperator?)null,
            };
            if (op is null || Current.Kind != SqlTokenKind.Symbol)
            {
                return left;
            }

            Next();
            var right = ParsePrimary();
            RefuseOperatorsAfterOperand();
            return new ComparisonExpression(op.Value, left, right);
        }

        private void RefuseOperatorsAfterOperand()
        {
            var token = Current;
            if (token.Kind == SqlTokenKind.Symbol && token.Text is "+" or "-" or "*" or "/" or "%" or "|" or "&")
            {
                throw Refused($"the arithmetic operator '{token.Text}'", token.Position);
            }

            if (token.IsSymbol("!="))
            {
                throw Refused("the operator '!='", token.Position, "AWS IoT SQL writes 'not equal' as <>.");
            }

            if (token.IsSymbol("["))
            {
                throw Refused("array indexing ([n])", token.Position);
            }

            if (token.IsKeyword("IS"))
            {
                throw Refused("IS [NOT] NULL", token.Position, "AWS IoT SQL has no IS NULL; use isNull(x) or isUndefined(x).");
            }

            if (token.IsKeyword("IN") || token.IsKeyword("LIKE") || token.IsKeyword("BETWEEN"))
            {
                throw Refused($"the {token.Text.ToUpperInvariant()} operator", token.Position);
            }
        }

        private SqlExpression ParsePrimary()
        {
            var token = Current;
            switch (token.Kind)
            {
                case SqlTokenKind.Number:
                    Next();
                    return new LiteralExpression(SqlValue.FromNumber(ParseNumber(token)));
                case SqlTokenKind.String:
                    Next();
                    return new LiteralExpression(SqlValue.FromString(token.Text));
                case SqlTokenKind.End:
                    throw SyntaxError("expected an expression but the statement ended", token.Position);
            }

            if (token.IsSymbol("("))
            {
                Next();
                if (Current.IsKeyword("SELECT"))
                {
                    throw Refused("a nested SELECT", Current.Position);
                }

                var inner = ParseExpression();
                if (!Current.IsSymbol(")"))
                {
                    throw SyntaxError($"expected ')' but found {Current.Describe()}", Current.Position);
                }

                Next();
                return inner;
            }

            if (token.IsSymbol("-") && Peek().Kind == SqlTokenKind.Number)
            {
                Next();
                var number = Next();
                return new LiteralExpression(SqlValue.FromNumber(-ParseNumber(number)));
            }

            if (token.IsSymbol("-"))
            {
                throw Refused("the arithmetic operator '-'", token.Position);
            }

            if (token.IsSymbol("["))
            {
                throw Refused("an array literal", token.Position);
            }

            if (token.IsSymbol("{"))
            {
                throw Refused("an object literal", token.Position);
            }

            if (token.IsSymbol("*"))
            {
                throw Refused("'*' inside an expression", token.Position, "'*' may only stand as a SELECT item.");
            }

            if (token.Kind != SqlTokenKind.Identifier)
            {
                throw SyntaxError($"expected an expression but found {token.Describe()}", token.Position);
            }

            if (token.IsKeyword("TRUE") || token.IsKeyword("FALSE"))
            {
                Next();
                return new LiteralExpression(SqlValue.FromBoolean(token.IsKeyword("TRUE")));
            }

            if (token.IsKeyword("NULL"))
            {
                Next();
                return new LiteralExpression(SqlValue.Null);
            }

            if (token.IsKeyword("CASE"))
            {
                throw Refused("a CASE expression", token.Position);
            }

            if (token.IsKeyword("SELECT"))
            {
                throw Refused("a nested SELECT", token.Position);
            }

            if (Peek().IsSymbol("("))
            {
                return ParseFunction();
            }

            if (Reserved.Contains(token.Text))
            {
                throw SyntaxError($"expected an expression but found the keyword {token.Text.ToUpperInvariant()}", token.Position);
            }

            var segments = new List<string> { Next().Text };
            while (Current.IsSymbol("."))
            {
                Next();
                if (Current.IsSymbol("*"))
                {
                    throw Refused("'.*' on a field", Current.Position);
                }

                if (Current.Kind != SqlTokenKind.Identifier)
                {
                    throw SyntaxError($"expected a field name after '.' but found {Current.Describe()}", Current.Position);
                }

                segments.Add(Next().Text);
            }

            return new FieldPathExpression(segments);
        }

        private SqlExpression ParseFunction()
        {
            var name = Next();
            Next(); // '('
            switch (name.Text.ToLowerInvariant())
            {
                case "topic":
                    if (Current.IsSymbol(")"))
                    {
                        Next();
                        return new TopicFunction(null);
                    }

                    var segment = Current;
                    if (segment.Kind != SqlTokenKind.Number || !int.TryParse(segment.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
                    {
                        throw Refused("topic() with an argument other than a whole number from 1", segment.Position);
                    }

                    Next();
                    ExpectClosingParenthesis(name);
                    return new TopicFunction(n);
                case "timestamp":
                    ExpectClosingParenthesis(name);
                    return new TimestampFunction();
                case "clientid":
                    ExpectClosingParenthesis(name);
                    return new ClientIdFunction();
                case "encode":
                    return ParseEncode(name);
                case "isnull":
                case "isundefined":
                    var argument = ParseExpression();
                    ExpectClosingParenthesis(name);
                    return new IsKindFunction(name.Text.Equals("isnull", StringComparison.OrdinalIgnoreCase) ? SqlValueKind.Null : SqlValueKind.Undefined, argument);
                default:
                    throw Refused($"the function {name.Text}()", name.Position);
            }
        }

        // encode(*, 'base64'): the whole payload, JSON or not, as base64 text (AWS IoT SQL functions reference).
        // AWS also encodes an expression after converting it to a string; no rule of ours needs that conversion, so
        // it is refused rather than guessed.
        private EncodePayloadFunction ParseEncode(SqlToken name)
        {
            if (!Current.IsSymbol("*"))
            {
                throw Refused("encode() of anything but * (the whole payload)", Current.Position);
            }

            Next();
            if (!Current.IsSymbol(","))
            {
                throw SyntaxError($"expected ',' and the encoding scheme after encode(* but found {Current.Describe()}", Current.Position);
            }

            Next();
            var scheme = Current;
            if (scheme.Kind != SqlTokenKind.String || scheme.Text != "base64")
            {
                // 'base64' is the only scheme AWS documents.
                throw SyntaxError($"encode() takes the encoding scheme 'base64', not {scheme.Describe()}", scheme.Position);
            }

            Next();
            ExpectClosingParenthesis(name);
            return new EncodePayloadFunction();
        }

        private void ExpectClosingParenthesis(SqlToken function)
        {
            if (!Current.IsSymbol(")"))
            {
                throw SyntaxError($"expected ')' to close {function.Text}( but found {Current.Describe()}", Current.Position);
            }

            Next();
        }

        private decimal ParseNumber(SqlToken token)
        {
            if (!decimal.TryParse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                throw SyntaxError($"the number {token.Text} is out of range", token.Position);
            }

            return value;
        }

        private void Expect(string keyword)
        {
            if (!Current.IsKeyword(keyword))
            {
                throw SyntaxError($"expected {keyword} but found {Current.Describe()}", Current.Position);
            }

            Next();
        }

        private IotSqlException Refused(string construct, int position, string hint = "") =>
            new(_ruleName, _sql, position, hint, construct);

        private IotSqlException SyntaxError(string problem, int position) =>
            new(_ruleName, _sql, position, problem, null);
    }
}
