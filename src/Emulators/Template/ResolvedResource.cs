using System.Text.Json.Nodes;

namespace Queueing.Emulators.Template;

/// <summary>A resource the local stack emulates, with its properties resolved (topic rules, HTTP APIs).</summary>
public sealed record ResolvedResource(string LogicalId, string Type, JsonObject Properties);
