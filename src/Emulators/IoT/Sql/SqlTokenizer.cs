namespace Queueing.Emulators.IoT.Sql;

internal enum SqlTokenKind
{
    Identifier,
    Number,
    String,
    Symbol,
    End,
}

internal readonly record struct SqlToken(SqlTokenKind Kind, string Text, int Position)
{
    public bool IsSymbol(string symbol) => Kind == SqlTokenKind.Symbol && Text == symbol;

    public bool IsKeyword(string keyword) =>
        Kind == SqlTokenKind.Identifier && string.Equals(Text, keyword, StringComparison.OrdinalIgnoreCase);

    public string Describe() => Kind switch
    {
        SqlTokenKind.End => "the end of the statement",
        SqlTokenKind.String => $"'{Text}'",
        _ => $"'{Text}'",
    };
}

/// <summary>Splits a rule's SQL into tokens; characters with no place in the supported subset are refused here.</summary>
internal static class SqlTokenizer
{
    private static readonly string[] Symbols = ["<>", "<=", ">=", "!=", "<", ">", "=", "(", ")", ",", ".", "*", "+", "-", "/", "%", "[", "]", "{", "}", ":", ";", "|", "&", "@"];

    public static List<SqlToken> Tokenize(string sql, Func<string, int, Exception> refuse, Func<string, int, Exception> syntaxError)
    {
        var tokens = new List<SqlToken>();
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            if (sql.AsSpan(i).StartsWith("--") || sql.AsSpan(i).StartsWith("/*"))
            {
                // AWS IoT SQL has no comments.
                throw refuse("a comment", i);
            }

            if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = i;
                while (i < sql.Length && (char.IsAsciiLetterOrDigit(sql[i]) || sql[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new SqlToken(SqlTokenKind.Identifier, sql[start..i], start));
                continue;
            }

            if (char.IsAsciiDigit(c))
            {
                var start = i;
                while (i < sql.Length && char.IsAsciiDigit(sql[i]))
                {
                    i++;
                }

                if (i + 1 < sql.Length && sql[i] == '.' && char.IsAsciiDigit(sql[i + 1]))
                {
                    i++;
                    while (i < sql.Length && char.IsAsciiDigit(sql[i]))
                    {
                        i++;
                    }
                }

                if (i < sql.Length && (sql[i] == 'e' || sql[i] == 'E'))
                {
                    var exponent = i + 1;
                    if (exponent < sql.Length && (sql[exponent] == '-' || sql[exponent] == '+'))
                    {
                        exponent++;
                    }

                    if (exponent < sql.Length && char.IsAsciiDigit(sql[exponent]))
                    {
                        i = exponent;
                        while (i < sql.Length && char.IsAsciiDigit(sql[i]))
                        {
                            i++;
                        }
                    }
                }

                tokens.Add(new SqlToken(SqlTokenKind.Number, sql[start..i], start));
                continue;
            }

            if (c is '\'' or '"')
            {
                var end = sql.IndexOf(c, i + 1);
                if (end < 0)
                {
                    throw syntaxError($"the string starting with {c} is not closed", i);
                }

                tokens.Add(new SqlToken(SqlTokenKind.String, sql[(i + 1)..end], i));
                i = end + 1;
                continue;
            }

            if (c == '`')
            {
                throw refuse("a backtick-quoted name", i);
            }

            var symbol = Array.Find(Symbols, s => sql.AsSpan(i).StartsWith(s));
            if (symbol is null)
            {
                throw syntaxError($"unexpected character '{c}'", i);
            }

            tokens.Add(new SqlToken(SqlTokenKind.Symbol, symbol, i));
            i += symbol.Length;
        }

        tokens.Add(new SqlToken(SqlTokenKind.End, string.Empty, sql.Length));
        return tokens;
    }
}
