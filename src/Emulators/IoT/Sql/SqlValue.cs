using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Queueing.Emulators.IoT.Sql;

internal enum SqlValueKind
{
    Undefined,
    Null,
    Boolean,
    Number,
    String,
    Array,
    Object,
}

/// <summary>
/// A value in the AWS IoT SQL type system (Int/Decimal folded into Number). Undefined is a value here, as in
/// AWS: a missing field, an out-of-range topic segment or a comparison on mismatched types; it is omitted
/// from the output JSON. Values read from the payload keep their JSON element so they are written back as sent.
/// </summary>
internal readonly partial struct SqlValue
{
    private readonly bool _boolean;
    private readonly decimal? _number;
    private readonly string? _string;
    private readonly JsonElement? _element;

    private SqlValue(SqlValueKind kind, bool boolean = false, decimal? number = null, string? text = null, JsonElement? element = null)
    {
        Kind = kind;
        _boolean = boolean;
        _number = number;
        _string = text;
        _element = element;
    }

    public SqlValueKind Kind { get; }

    public static SqlValue Undefined => default;

    public static SqlValue Null { get; } = new(SqlValueKind.Null);

    public static SqlValue FromBoolean(bool value) => new(SqlValueKind.Boolean, boolean: value);

    public static SqlValue FromNumber(decimal value) => new(SqlValueKind.Number, number: value);

    public static SqlValue FromString(string value) => new(SqlValueKind.String, text: value);

    public static SqlValue FromElement(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null => Null,
        JsonValueKind.True => FromBoolean(true),
        JsonValueKind.False => FromBoolean(false),
        // A number beyond decimal's range keeps its text but compares as Undefined.
        JsonValueKind.Number => new(SqlValueKind.Number, number: element.TryGetDecimal(out var d) ? d : null, element: element),
        JsonValueKind.String => new(SqlValueKind.String, text: element.GetString(), element: element),
        JsonValueKind.Array => new(SqlValueKind.Array, element: element),
        JsonValueKind.Object => new(SqlValueKind.Object, element: element),
        _ => Undefined,
    };

    public bool IsTrue => Kind == SqlValueKind.Boolean && _boolean;

    /// <summary>The AWS "to Boolean" conversion used by AND, OR and NOT: booleans, and the strings "true"/"false"
    /// in any case.</summary>
    public bool TryGetBoolean(out bool value)
    {
        switch (Kind)
        {
            case SqlValueKind.Boolean:
                value = _boolean;
                return true;
            case SqlValueKind.String when string.Equals(_string, "true", StringComparison.OrdinalIgnoreCase):
                value = true;
                return true;
            case SqlValueKind.String when string.Equals(_string, "false", StringComparison.OrdinalIgnoreCase):
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    /// <summary>The AWS "to Decimal" conversion used by &lt;, &lt;=, &gt;, &gt;=: numbers, and strings matching
    /// <c>^-?\d+(\.\d+)?((?i)E-?\d+)?$</c>.</summary>
    public bool TryGetDecimal(out decimal value)
    {
        if (Kind == SqlValueKind.Number && _number is { } number)
        {
            value = number;
            return true;
        }

        if (Kind == SqlValueKind.String && _string is { } text && DecimalString().IsMatch(text)
            && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>The <c>=</c> operator: Undefined when either side is Undefined, false on mismatched types.</summary>
    public static SqlValue AreEqual(SqlValue left, SqlValue right)
    {
        if (left.Kind == SqlValueKind.Undefined || right.Kind == SqlValueKind.Undefined)
        {
            return Undefined;
        }

        if (left.Kind != right.Kind)
        {
            return FromBoolean(false);
        }

        return left.Kind switch
        {
            SqlValueKind.Null => FromBoolean(true),
            SqlValueKind.Boolean => FromBoolean(left._boolean == right._boolean),
            SqlValueKind.Number => left._number is { } l && right._number is { } r ? FromBoolean(l == r) : Undefined,
            SqlValueKind.String => FromBoolean(string.Equals(left._string, right._string, StringComparison.Ordinal)),
            // Arrays compare item by item in order, objects by keys and values in any order: JSON deep equality.
            _ => FromBoolean(JsonElement.DeepEquals(left._element!.Value, right._element!.Value)),
        };
    }

    /// <summary>Writes the value as JSON; the caller omits Undefined values.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        if (_element is { } element)
        {
            element.WriteTo(writer);
            return;
        }

        switch (Kind)
        {
            case SqlValueKind.Null:
                writer.WriteNullValue();
                break;
            case SqlValueKind.Boolean:
                writer.WriteBooleanValue(_boolean);
                break;
            case SqlValueKind.Number:
                writer.WriteNumberValue(_number!.Value);
                break;
            case SqlValueKind.String:
                writer.WriteStringValue(_string);
                break;
            default:
                throw new InvalidOperationException($"A {Kind} value has no JSON form.");
        }
    }

    [GeneratedRegex(@"^-?\d+(\.\d+)?([eE]-?\d+)?$")]
    private static partial Regex DecimalString();
}
