using Queueing.Emulators.Waylay.Plugs;
using Queueing.Testing;

namespace Queueing.Local.Tests.Waylay;

public sealed class PlugCatalogTests
{
    [Fact]
    public void Load_RepositoryPlugins_HasTheCommandAndAlarmActuatorsWithTheirInterfaces()
    {
        var catalog = PlugCatalog.Load(RepositoryRoot.File("waylay", "plugins"), TestPlugs.Registry);

        Assert.Equal(["queueingAlarm", "queueingCommand"], catalog.Plugs.Select(p => p.Name).Order(StringComparer.Ordinal));
        var plug = catalog.Find("queueingCommand", "1.0.0")!;
        Assert.Equal(("queueingCommand", "1.0.0", "actuator"), (plug.Name, plug.Version, plug.Type));
        Assert.Equal(["deviceId", "payload", "ttlSeconds", "qos", "idempotencyKey"], plug.Inputs);
        Assert.Equal(["deviceId", "payload"], plug.MandatoryInputs);
        Assert.Equal("index.js", PlugCatalog.MainOf(plug.Directory));
        var alarm = catalog.Find("queueingAlarm", "1.0.0")!;
        Assert.Equal("actuator", alarm.Type);
        Assert.Equal(["resource", "type", "severity", "text"], alarm.Inputs);
        Assert.Equal(["resource", "type", "severity", "text"], alarm.MandatoryInputs);
        Assert.Equal("index.js", PlugCatalog.MainOf(alarm.Directory));
    }

    [Fact]
    public void Load_ManifestTheRegistrySchemaRefuses_IsRefusedNamingThePointer()
    {
        using var plugins = new TempDirectory();
        TestPlugs.Write(plugins, "odd", "module.exports = (o, send) => send()", type: "widget");
        TestPlugs.Write(plugins, "old", "module.exports = (o, send) => send()", version: "1.0");

        var refused = Assert.Throws<PlugCatalogException>(() => TestPlugs.Catalog(plugins));

        Assert.Contains(refused.Problems, p => p.StartsWith("odd/plug.json: refused by the registry schema IPlugManifest: /type: ", StringComparison.Ordinal));
        Assert.Contains(refused.Problems, p => p.StartsWith("old/plug.json: refused by the registry schema IPlugManifest: /version: ", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_FolderWithoutManifestOrCode_IsRefused()
    {
        using var plugins = new TempDirectory();
        Directory.CreateDirectory(plugins.File("empty"));
        TestPlugs.Write(plugins, "nocode", "");
        File.Delete(Path.Combine(plugins.File("nocode"), "index.js"));

        var refused = Assert.Throws<PlugCatalogException>(() => TestPlugs.Catalog(plugins));

        Assert.Contains("empty/plug.json: missing", refused.Message);
        Assert.Contains("nocode/plug.json: the plug's code index.js is missing", refused.Message);
    }
}
