using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Queueing.Emulators.Waylay.Contracts;
using Queueing.Testing;

namespace Queueing.Local.Tests.Support;

/// <summary>
/// A stand-in of a Waylay tenant on loopback, for <c>waylay/deploy</c>: the endpoints it calls, as the published
/// OpenAPI documents describe them (rules engine 6.20.0: templates and tasks; function registry 2.24.1: runtimes and
/// plugs) and the vault API (docs.waylay.io/api/vault: <c>PUT /vault/{key}</c>, text/plain). Each request needs HTTP
/// Basic with the tenant's key and secret; each body is validated against the schema of its operation (our
/// transcription in waylay/schemas: <c>TemplateEntity</c>, <c>TaskSpecification</c>, <c>IPlugManifest</c>). A body
/// the schema refuses is answered 400 <c>ErrorWithDetailsResponse</c> and recorded in <see cref="Violations"/>; so is
/// a template naming a plug the registry does not hold (the documented "Plugin x:y not found").
/// </summary>
internal sealed class FakeWaylayTenant : IAsyncDisposable
{
    public const string ApiKey = "tenant-key";
    public const string ApiSecret = "tenant-secret";

    // The sensor plugins a tenant has built in (Waylay's documentation uses these versions).
    private static readonly HashSet<string> BuiltInPlugs = ["streamingDataSensor@1.1.0", "streamingDataSensor@1.1.1"];

    private readonly LoopbackHttpServer _server;
    private readonly WaylayContract _rules;
    private readonly WaylayContract _registry;
    private int _taskIds;

    private FakeWaylayTenant(LoopbackHttpServer server, WaylayContract rules, WaylayContract registry)
    {
        _server = server;
        _rules = rules;
        _registry = registry;
    }

    public Uri BaseAddress => _server.BaseAddress;

    /// <summary>The node plug runtimes <c>GET /registry/v2/runtimes</c> lists.</summary>
    public List<string> NodePlugRuntimes { get; } = ["node-plugs-test"];

    public ConcurrentQueue<string> Requests { get; } = new();

    public ConcurrentQueue<string> Violations { get; } = new();

    public ConcurrentDictionary<string, string> Vault { get; } = new(StringComparer.Ordinal);

    /// <summary>Uploaded plugs by <c>name@version</c>: the manifest and the asset file names.</summary>
    public ConcurrentDictionary<string, (JsonObject Manifest, IReadOnlyList<string> Assets)> Plugs { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, JsonObject> Templates { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, JsonObject> Tasks { get; } = new(StringComparer.Ordinal);

    public static async Task<FakeWaylayTenant> StartAsync()
    {
        var schemas = RepositoryRoot.File("waylay", "schemas");
        FakeWaylayTenant? standIn = null;
        var server = await LoopbackHttpServer.StartAsync(context => standIn!.HandleAsync(context));
        standIn = new FakeWaylayTenant(server, WaylayContract.Rules(schemas), WaylayContract.Registry(schemas));
        return standIn;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        Requests.Enqueue($"{request.Method} {path}{request.QueryString}");
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ApiKey}:{ApiSecret}"));
        if (request.Headers.Authorization.ToString() != expected)
        {
            await AnswerAsync(context, 401, new JsonObject { ["statusCode"] = 401, ["error"] = "Invalid credentials" });
            return;
        }

        var segments = path.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        switch (request.Method, segments)
        {
            case ("PUT", ["vault", var key]):
                await PutVaultAsync(context, key);
                break;
            case ("GET", ["registry", "v2", "runtimes"]):
                await ListRuntimesAsync(context);
                break;
            case ("GET", ["registry", "v2", "plugs", var name, "versions", var version]):
                await (Plugs.TryGetValue($"{name}@{version}", out var plug)
                    ? AnswerAsync(context, 200, new JsonObject { ["status"] = "running", ["plug"] = plug.Manifest.DeepClone() })
                    : AnswerAsync(context, 404, new JsonObject { ["error"] = $"plug {name}@{version} not found", ["statusCode"] = 404 }));
                break;
            case ("POST", ["registry", "v2", "plugs"]):
                await CreatePlugAsync(context);
                break;
            case ("POST", ["rules", "v1", "templates"]):
                await SaveTemplateAsync(context, null);
                break;
            case ("PUT", ["rules", "v1", "templates", var name]):
                await SaveTemplateAsync(context, name);
                break;
            case ("GET", ["rules", "v1", "tasks"]):
                await AnswerAsync(context, 200, new JsonArray(Tasks.Values
                    .Where(t => (string?)t["template"] == request.Query["template"].ToString() && (string?)t["resource"] == request.Query["resource"].ToString())
                    .Select(t => (JsonNode?)t.DeepClone()).ToArray()));
                break;
            case ("POST", ["rules", "v1", "tasks"]):
                await CreateTaskAsync(context);
                break;
            default:
                Violations.Enqueue($"{request.Method} {path}: not an endpoint waylay/deploy should call");
                await AnswerAsync(context, 404, new JsonObject { ["statusCode"] = 404, ["error"] = "Not Found" });
                break;
        }
    }

    private async Task PutVaultAsync(HttpContext context, string key)
    {
        var body = await ReadAsync(context.Request);
        if (context.Request.ContentType?.StartsWith("text/plain", StringComparison.Ordinal) != true || body.Length == 0)
        {
            await RefuseAsync(context, $"PUT /vault/{key}", [$"a text/plain value is expected (got {context.Request.ContentType}, {body.Length} characters)"]);
            return;
        }

        Vault[key] = body;
        await AnswerAsync(context, 200, new JsonObject { ["key"] = key });
    }

    private async Task ListRuntimesAsync(HttpContext context)
    {
        var query = context.Request.Query;
        if (query["functionType"] != "plugs" || query["archiveFormat"] != "node")
        {
            Violations.Enqueue($"GET /registry/v2/runtimes{context.Request.QueryString}: expected functionType=plugs&archiveFormat=node");
        }

        await AnswerAsync(context, 200, new JsonObject
        {
            ["runtimes"] = new JsonArray(NodePlugRuntimes.Select(name => (JsonNode?)new JsonObject
            {
                ["name"] = name,
                ["title"] = name,
                ["functionType"] = "plugs",
                ["archiveFormat"] = "node",
                ["versions"] = new JsonArray(new JsonObject { ["version"] = "1.0.0", ["title"] = name, ["deprecated"] = false, ["upgradable"] = false }),
            }).ToArray()),
        });
    }

    private async Task CreatePlugAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            await RefuseAsync(context, "POST /registry/v2/plugs/", [$"multipart/form-data with the assets is expected (got {context.Request.ContentType})"]);
            return;
        }

        var form = await context.Request.ReadFormAsync();
        var assets = form.Files.GetFiles("assets");
        var manifestFile = assets.FirstOrDefault(f => f.FileName == "plug.json");
        if (manifestFile is null)
        {
            await RefuseAsync(context, "POST /registry/v2/plugs/", ["the required plug.json asset is missing"]);
            return;
        }

        using var reader = new StreamReader(manifestFile.OpenReadStream(), Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        var problems = _registry.Validate("IPlugManifest", text).ToList();
        if (problems.Count == 0)
        {
            var manifest = JsonNode.Parse(text)!.AsObject();
            if (!NodePlugRuntimes.Contains((string)manifest["runtime"]!))
            {
                problems.Add($"/runtime: {manifest["runtime"]} is not a runtime of this tenant");
            }

            foreach (var missing in new[] { "package.json", "index.js" }.Where(f => assets.All(a => a.FileName != f)))
            {
                problems.Add($"the asset {missing} is missing");
            }

            if (problems.Count == 0)
            {
                Plugs[$"{manifest["name"]}@{manifest["version"]}"] = (manifest, assets.Select(a => a.FileName).ToList());
                await AnswerAsync(context, 201, new JsonObject
                {
                    ["message"] = "Plug deployed",
                    ["entity"] = new JsonObject { ["status"] = "running", ["plug"] = manifest.DeepClone() },
                });
                return;
            }
        }

        await RefuseAsync(context, "POST /registry/v2/plugs/", problems);
    }

    private async Task SaveTemplateAsync(HttpContext context, string? pathName)
    {
        var operation = pathName is null ? "POST /rules/v1/templates" : $"PUT /rules/v1/templates/{pathName}";
        var text = await ReadAsync(context.Request);
        var problems = _rules.Validate("TemplateEntity", text).ToList();
        if (problems.Count > 0)
        {
            await RefuseAsync(context, operation, problems);
            return;
        }

        var template = JsonNode.Parse(text)!.AsObject();
        var name = (string)template["name"]!;
        var missing = (template["sensors"] as JsonArray ?? []).Concat(template["actuators"] as JsonArray ?? [])
            .Select(n => $"{n!["name"]}@{n["version"]}")
            .Where(p => !BuiltInPlugs.Contains(p) && !Plugs.ContainsKey(p))
            .ToList();
        if (missing.Count > 0)
        {
            await AnswerAsync(context, 400, new JsonObject { ["statusCode"] = 400, ["error"] = $"Plugin {missing[0].Replace('@', ':')} not found", ["code"] = "TRANSFORMATION" });
            return;
        }

        if (pathName is null && Templates.ContainsKey(name))
        {
            await AnswerAsync(context, 400, new JsonObject { ["statusCode"] = 400, ["error"] = $"A template with name '{name}' already exists", ["code"] = "ERR_DUPLICATE_TEMPLATE_NAME" });
            return;
        }

        if (pathName is not null && pathName != name)
        {
            await AnswerAsync(context, 400, new JsonObject { ["statusCode"] = 400, ["error"] = "Path name and submitted template name don't match" });
            return;
        }

        Templates[name] = template;
        await (pathName is null
            ? AnswerAsync(context, 201, new JsonObject { ["statusCode"] = 201, ["uri"] = $"/rules/v1/templates/{name}", ["entity"] = template.DeepClone() })
            : AnswerAsync(context, 200, template.DeepClone()));
    }

    private async Task CreateTaskAsync(HttpContext context)
    {
        var text = await ReadAsync(context.Request);
        var problems = _rules.Validate("TaskSpecification", text).ToList();
        if (problems.Count > 0)
        {
            await RefuseAsync(context, "POST /rules/v1/tasks", problems);
            return;
        }

        var task = JsonNode.Parse(text)!.AsObject();
        if (task["template"] is { } template && !Templates.ContainsKey((string)template!))
        {
            await AnswerAsync(context, 400, new JsonObject { ["statusCode"] = 400, ["error"] = $"No template with name {template}" });
            return;
        }

        var id = $"task-{Interlocked.Increment(ref _taskIds)}";
        task["ID"] = id;
        Tasks[id] = task;
        await AnswerAsync(context, 201, new JsonObject { ["ID"] = id, ["warnings"] = new JsonArray() });
    }

    private async Task RefuseAsync(HttpContext context, string operation, IReadOnlyList<string> problems)
    {
        foreach (var problem in problems)
        {
            Violations.Enqueue($"{operation}: {problem}");
        }

        await AnswerAsync(context, 400, new JsonObject
        {
            ["statusCode"] = 400,
            ["error"] = "Validation Failed",
            ["code"] = "VALIDATION",
            ["details"] = new JsonArray(problems.Select(p => (JsonNode?)new JsonObject { ["type"] = "SCHEMA", ["message"] = p, ["severity"] = "ERROR" }).ToArray()),
        });
    }

    private static async Task<string> ReadAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    private static async Task AnswerAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
