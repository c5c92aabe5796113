using System.Text.RegularExpressions;

namespace Queueing.Template.Tests.Support;

/// <summary>The explicit targets a Makefile defines (rule lines <c>name: ...</c>; not variables, not recipes).</summary>
internal static partial class MakefileTargets
{
    public static IReadOnlySet<string> Parse(string makefileText)
    {
        var targets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in makefileText.Split('\n'))
        {
            // Recipe lines start with a tab; variable assignments use = := ?= += and are not rules.
            if (line.StartsWith('\t') || line.StartsWith('#'))
            {
                continue;
            }

            var rule = RuleLine().Match(line);
            if (rule.Success)
            {
                foreach (var name in rule.Groups["targets"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    targets.Add(name);
                }
            }
        }

        return targets;
    }

    [GeneratedRegex(@"^(?<targets>[A-Za-z0-9_.\- ]+?)\s*:(?![:=])")]
    private static partial Regex RuleLine();
}
