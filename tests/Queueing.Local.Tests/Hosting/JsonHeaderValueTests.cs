using System.Text.Json;
using Queueing.Emulators.Hosting;

namespace Queueing.Local.Tests.Hosting;

public sealed class JsonHeaderValueTests
{
    [Theory]
    [InlineData("\"text\"", "text")]
    [InlineData("\"\"", "")]
    [InlineData("42", "42")]
    [InlineData("1.50", "1.50")]
    [InlineData("true", "true")]
    [InlineData("false", "false")]
    public void From_StringNumberOrBoolean_IsItsText(string json, string expected)
    {
        using var document = JsonDocument.Parse(json);

        Assert.Equal(expected, JsonHeaderValue.From(document.RootElement));
    }

    [Theory]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("[\"a\"]")]
    public void From_NullObjectOrArray_IsNull(string json)
    {
        using var document = JsonDocument.Parse(json);

        Assert.Null(JsonHeaderValue.From(document.RootElement));
    }
}
