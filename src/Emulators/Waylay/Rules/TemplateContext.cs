using Queueing.Emulators.Waylay.Contracts;
using Queueing.Emulators.Waylay.Plugs;

namespace Queueing.Emulators.Waylay.Rules;

/// <summary>
/// What a template is checked against: the rules engine's template schema (<c>TemplateEntity</c> of our
/// transcription of the rules OpenAPI, <c>waylay/schemas/</c>) and the plugs we ship (<c>waylay/plugins/</c>), the
/// only actuators the sandbox can run.
/// </summary>
public sealed record TemplateContext(WaylayContract Rules, PlugCatalog Plugs)
{
    /// <summary>The schemas and plugs of a <c>waylay/</c> folder (<c>schemas/</c>, <c>plugins/</c>).</summary>
    /// <exception cref="PlugCatalogException">A plug manifest is refused.</exception>
    public static TemplateContext ForWaylayDirectory(string waylayDirectory)
    {
        var schemas = Path.Combine(waylayDirectory, "schemas");
        return new TemplateContext(
            WaylayContract.Rules(schemas),
            PlugCatalog.Load(Path.Combine(waylayDirectory, "plugins"), WaylayContract.Registry(schemas)));
    }
}
