using System.Text.Json.Nodes;

namespace Queueing.Emulators.Template;

/// <summary>The Conditions section, evaluated on demand (memoised, cycles refused).</summary>
internal sealed class TemplateConditions
{
    private readonly TemplateDocument _template;
    private readonly IntrinsicResolver _resolver;
    private readonly Dictionary<string, bool> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _evaluating = new(StringComparer.Ordinal);

    internal TemplateConditions(TemplateDocument template, IntrinsicResolver resolver)
    {
        _template = template;
        _resolver = resolver;
    }

    public bool IsTrue(string name, TemplatePath from)
    {
        if (_values.TryGetValue(name, out var known))
        {
            return known;
        }

        if (!_template.Conditions.TryGetPropertyValue(name, out var expression))
        {
            throw from.Fail($"condition '{name}' is not defined in the Conditions section");
        }

        if (!_evaluating.Add(name))
        {
            throw TemplatePath.Condition(name).Fail("the condition refers to itself");
        }

        try
        {
            var value = Evaluate(expression, TemplatePath.Condition(name));
            _values[name] = value;
            return value;
        }
        finally
        {
            _evaluating.Remove(name);
        }
    }

    private bool Evaluate(JsonNode? expression, TemplatePath path)
    {
        if (expression is not JsonObject { Count: 1 } obj)
        {
            throw path.Fail("a condition must be one of Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition");
        }

        var (function, argument) = obj.First();
        var at = path.Child(function);
        switch (function)
        {
            case "Fn::Equals":
                if (argument is not JsonArray { Count: 2 } pair)
                {
                    throw at.Fail("Fn::Equals takes [value1, value2]");
                }

                // CloudFormation compares the two values as strings ("5" equals 5).
                return _resolver.ResolveString(pair[0], at.Index(0)) == _resolver.ResolveString(pair[1], at.Index(1));
            case "Fn::And":
                return Operands(argument, at, 2, 10).All(operand => Evaluate(operand.Node, operand.Path));
            case "Fn::Or":
                return Operands(argument, at, 2, 10).Any(operand => Evaluate(operand.Node, operand.Path));
            case "Fn::Not":
                var single = Operands(argument, at, 1, 1).Single();
                return !Evaluate(single.Node, single.Path);
            case "Condition":
                return argument is JsonValue name && name.TryGetValue(out string? condition)
                    ? IsTrue(condition, at)
                    : throw at.Fail("Condition takes a condition name");
            default:
                throw at.Fail($"{function} is not a condition function (Fn::Equals, Fn::And, Fn::Or, Fn::Not, Condition)");
        }
    }

    private static IEnumerable<(JsonNode? Node, TemplatePath Path)> Operands(JsonNode? argument, TemplatePath path, int min, int max)
    {
        if (argument is not JsonArray list || list.Count < min || list.Count > max)
        {
            throw path.Fail(min == max ? $"takes a list of {min} condition(s)" : $"takes a list of {min} to {max} conditions");
        }

        return list.Select((node, i) => (node, path.Index(i)));
    }
}
