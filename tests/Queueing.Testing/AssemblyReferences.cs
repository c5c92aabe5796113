using System.Reflection;

namespace Queueing.Testing;

/// <summary>
/// What an assembly references, directly or through our own assemblies (Queueing.*): the names the compiler kept,
/// so a package referenced but unused does not show, and one reached through another project of ours does.
/// </summary>
public static class AssemblyReferences
{
    public static IReadOnlySet<string> Closure(Assembly assembly)
    {
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Queue<Assembly>([assembly]);
        while (pending.TryDequeue(out var current))
        {
            foreach (var reference in current.GetReferencedAssemblies())
            {
                if (seen.Add(reference.Name!) && reference.Name!.StartsWith("Queueing.", StringComparison.OrdinalIgnoreCase))
                {
                    pending.Enqueue(Assembly.Load(reference));
                }
            }
        }

        return seen;
    }
}
