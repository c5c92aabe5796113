using System.Text;
using System.Text.Json;
using Queueing.Contracts.Json;

namespace Queueing.Shared.Tests.Json;

public sealed class TopLevelMemberTests
{
    [Theory]
    [InlineData("""{"error":"quota exceeded"}""", "quota exceeded")]
    [InlineData("""{"a":{"error":"nested"},"b":[1,{"error":"in array"}],"error":"top"}""", "top")]
    [InlineData("""{"error":"first","error":"second"}""", "first")]
    [InlineData("""{"error":42}""", null)]
    [InlineData("""{"other":"x"}""", null)]
    [InlineData("""["error"]""", null)]
    [InlineData("<html>502 Bad Gateway</html>", null)]
    [InlineData("""{"a":1,"error":"after a break""", null)]
    [InlineData("", null)]
    public void String_Body_TheTopLevelStringMemberOrNull(string body, string? expected)
    {
        Assert.Equal(expected, TopLevelMember.String(Encoding.UTF8.GetBytes(body), "error"u8));
    }

    [Fact]
    public void String_CommentsWhenAllowed_AreSkipped()
    {
        var body = Encoding.UTF8.GetBytes("""{/* c */"deviceId":"lamp-1"}""");

        Assert.Null(TopLevelMember.String(body, "deviceId"u8));
        Assert.Equal("lamp-1", TopLevelMember.String(body, "deviceId"u8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip }));
    }
}
