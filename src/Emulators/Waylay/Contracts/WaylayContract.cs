using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Queueing.Emulators.Waylay.Contracts;

/// <summary>
/// One of Waylay's published OpenAPI documents, as the JSON Schemas of its components that the project validates
/// against: <c>waylay/schemas/waylay-rules.schema.json</c> (rule templates, tasks) and
/// <c>waylay/schemas/waylay-registry.schema.json</c> (plug manifests). These files are our transcription of the
/// published documents (see their <c>$comment</c> and <c>waylay/schemas/check-transcription.py</c>).
/// </summary>
public sealed class WaylayContract
{
    public const string RulesFile = "waylay-rules.schema.json";
    public const string RegistryFile = "waylay-registry.schema.json";

    private readonly JsonSchema _document;
    private readonly EvaluationOptions _options;

    private WaylayContract(string source, JsonSchema document)
    {
        Source = source;
        _document = document;
        _options = new EvaluationOptions { OutputFormat = OutputFormat.Hierarchical };
        _options.SchemaRegistry.Register(document);
    }

    /// <summary>The file the schemas come from, for messages.</summary>
    public string Source { get; }

    /// <summary>The schemas of the rules engine OpenAPI (<c>TemplateEntity</c>, <c>TaskSpecification</c>, ...).</summary>
    public static WaylayContract Rules(string schemasDirectory) => Load(Path.Combine(schemasDirectory, RulesFile));

    /// <summary>The schemas of the function registry OpenAPI (<c>IPlugManifest</c>, ...).</summary>
    public static WaylayContract Registry(string schemasDirectory) => Load(Path.Combine(schemasDirectory, RegistryFile));

    public static WaylayContract Load(string file)
    {
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"{file}: no such file (the Waylay contracts live in waylay/schemas/).", file);
        }

        var document = JsonSchema.FromText(File.ReadAllText(file));
        return document.BaseUri.IsAbsoluteUri && document.GetId() is not null
            ? new WaylayContract(file, document)
            : throw new InvalidOperationException($"{file}: the schema document has no $id.");
    }

    public bool Defines(string definition) => _document.GetDefs()?.ContainsKey(definition) == true;

    /// <summary>
    /// Every way <paramref name="instance"/> breaks the schema <c>#/$defs/{definition}</c>, as
    /// <c>"/json/pointer: message"</c>; empty when it is valid.
    /// </summary>
    public IReadOnlyList<string> Validate(string definition, JsonNode? instance)
    {
        if (!Defines(definition))
        {
            throw new ArgumentException($"{Source} defines no schema '{definition}'.", nameof(definition));
        }

        var entry = new JsonSchemaBuilder().Ref($"{_document.GetId()}#/$defs/{definition}").Build();
        var results = entry.Evaluate(instance, _options);
        var problems = new List<string>();
        Collect(results, problems);
        return problems.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Validates JSON text; a text that is not JSON is one problem.</summary>
    public IReadOnlyList<string> Validate(string definition, string json)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException ex)
        {
            return [$"not valid JSON: {ex.Message}"];
        }

        return Validate(definition, node);
    }

    // A valid node's failing branches (an anyOf alternative that did not match) are not problems: only the errors
    // of invalid nodes are collected, down the invalid children.
    private static void Collect(EvaluationResults node, List<string> problems)
    {
        if (node.IsValid)
        {
            return;
        }

        foreach (var (keyword, message) in node.Errors ?? new Dictionary<string, string>())
        {
            var at = node.InstanceLocation.ToString();
            problems.Add($"{(at.Length == 0 ? "/" : at)}: {message} ({keyword} at {node.EvaluationPath})");
        }

        foreach (var child in node.Details)
        {
            Collect(child, problems);
        }
    }
}
