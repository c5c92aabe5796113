using System.Text.Json.Nodes;

namespace Queueing.Shared.Tests.Support;

/// <summary>The project's own fixtures (tests/Queueing.Shared.Tests/Fixtures, copied next to the test assembly).</summary>
internal static class Fixture
{
    public static string Text(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    /// <summary>
    /// Semantic JSON equality: same members and values regardless of order and formatting; a member that is
    /// null on one side and absent on the other counts as equal (Lambda writes some nulls, we omit them).
    /// </summary>
    public static void AssertSameJson(string expected, string actual)
    {
        var left = WithoutNulls(JsonNode.Parse(expected));
        var right = WithoutNulls(JsonNode.Parse(actual));
        Assert.True(JsonNode.DeepEquals(left, right), $"JSON differs.\nExpected: {left?.ToJsonString()}\nActual:   {right?.ToJsonString()}");
    }

    private static JsonNode? WithoutNulls(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Where(p => p.Value is null).Select(p => p.Key).ToList())
                {
                    obj.Remove(name);
                }

                foreach (var (_, value) in obj)
                {
                    WithoutNulls(value);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    WithoutNulls(item);
                }

                break;
        }

        return node;
    }
}
