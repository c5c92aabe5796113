using System.Text.Json;
using System.Text.Json.Nodes;

namespace Queueing.Emulators.Template;

/// <summary>The raw sections of a CloudFormation/SAM template in JSON.</summary>
public sealed class TemplateDocument
{
    private const string SamTransform = "AWS::Serverless-2016-10-31";

    private TemplateDocument(string path, JsonObject root)
    {
        FilePath = path;
        Directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? ".";
        Parameters = Section(root, "Parameters");
        Conditions = Section(root, "Conditions");
        Mappings = Section(root, "Mappings");
        Resources = Section(root, "Resources");
        Globals = Section(root, "Globals");
        CheckTransforms(root);
    }

    public string FilePath { get; }

    /// <summary>The template's folder: relative paths in it (CodeUri, projects) are relative to this.</summary>
    public string Directory { get; }

    public JsonObject Parameters { get; }
    public JsonObject Conditions { get; }
    public JsonObject Mappings { get; }
    public JsonObject Resources { get; }
    public JsonObject Globals { get; }

    public static TemplateDocument Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Template '{path}' does not exist.", path);
        }

        return Parse(File.ReadAllText(path), path);
    }

    public static TemplateDocument Parse(string json, string path)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new TemplateException($"Template '{path}' is not valid JSON (the local stack reads JSON templates; YAML is not supported): {ex.Message}");
        }

        if (root is not JsonObject obj)
        {
            throw new TemplateException($"Template '{path}' must be a JSON object.");
        }

        return new TemplateDocument(path, obj);
    }

    /// <summary>The resource's <c>Type</c>, or null when the template has no such resource.</summary>
    public string? ResourceType(string logicalId) =>
        Resources[logicalId] is JsonObject resource && resource["Type"] is JsonValue type && type.TryGetValue(out string? value) ? value : null;

    public JsonObject? ResourceProperties(string logicalId) =>
        Resources[logicalId] is JsonObject resource ? resource["Properties"] as JsonObject : null;

    private static JsonObject Section(JsonObject root, string name) => root[name] switch
    {
        null => [],
        JsonObject section => section,
        _ => throw new TemplateException($"The template's '{name}' section must be an object."),
    };

    private static void CheckTransforms(JsonObject root)
    {
        var transforms = root["Transform"] switch
        {
            null => [],
            JsonValue single => [single.ToString()],
            JsonArray many => many.Select(t => t?.ToString() ?? string.Empty).ToList(),
            _ => throw new TemplateException("The template's 'Transform' must be a name or a list of names."),
        };
        foreach (var transform in transforms)
        {
            // Other transforms (AWS::LanguageExtensions, macros) rewrite the template in ways this model would miss.
            if (transform != SamTransform)
            {
                throw new TemplateException($"Transform '{transform}' is not supported by the local stack (only {SamTransform}).");
            }
        }
    }
}
