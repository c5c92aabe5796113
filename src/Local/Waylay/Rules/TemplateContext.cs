namespace Queueing.Local.Waylay.Rules;

/// <summary>
/// What a template may refer to in the sandbox: the hosted webscripts (by name, the file name without
/// <c>.js</c>) and the deployment variables (<c>${name}</c>) filled into actuator properties. For each webscript
/// <c>send-command</c> the variable <c>${sendCommandWebscriptUrl}</c> is its URL, which is how
/// <c>waylay/templates/</c> refer to the webscript they deploy with.
/// </summary>
public sealed record TemplateContext(IReadOnlyCollection<string> Webscripts, IReadOnlyDictionary<string, string> Variables)
{
    /// <param name="urlOf">The URL of a webscript by name.</param>
    /// <param name="variables">More variables; they win over the webscript URLs.</param>
    public static TemplateContext For(IReadOnlyCollection<string> webscripts, Func<string, string> urlOf, IReadOnlyDictionary<string, string>? variables = null)
    {
        var all = webscripts.ToDictionary(w => VariableFor(w), urlOf, StringComparer.Ordinal);
        foreach (var (name, value) in variables ?? new Dictionary<string, string>())
        {
            all[name] = value;
        }

        return new TemplateContext(webscripts, all);
    }

    /// <summary><c>send-command</c> -> <c>sendCommandWebscriptUrl</c>.</summary>
    public static string VariableFor(string webscript)
    {
        var parts = webscript.Split(['-', '_', '.', ' '], StringSplitOptions.RemoveEmptyEntries);
        var camel = string.Concat(parts.Select((p, i) => i == 0
            ? char.ToLowerInvariant(p[0]) + p[1..]
            : char.ToUpperInvariant(p[0]) + p[1..]));
        return camel + "WebscriptUrl";
    }
}
