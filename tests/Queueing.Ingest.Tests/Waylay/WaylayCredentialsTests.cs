using System.Text;
using Queueing.Ingest.Waylay;

namespace Queueing.Ingest.Tests.Waylay;

public sealed class WaylayCredentialsTests
{
    [Fact]
    public void TryCreateBasicToken_ValidJson_IsBase64OfKeyColonSecret()
    {
        Assert.True(WaylayCredentials.TryCreateBasicToken("{\"apiKey\":\"k1\",\"apiSecret\":\"s:3cr\"}", "/p", out var token, out _));

        Assert.Equal("k1:s:3cr", Encoding.UTF8.GetString(Convert.FromBase64String(token)));
    }

    [Theory]
    [InlineData("not json", "is not JSON")]
    [InlineData("{\"apiKey\":\"k\"}", "lacks apiKey or apiSecret")]
    [InlineData("{\"apiKey\":\"\",\"apiSecret\":\"s\"}", "lacks apiKey or apiSecret")]
    [InlineData("null", "lacks apiKey or apiSecret")]
    public void TryCreateBasicToken_BadValue_NamesTheParameterNotTheSecret(string value, string problem)
    {
        Assert.False(WaylayCredentials.TryCreateBasicToken(value, "/queueing/waylay-credentials", out _, out var text));

        Assert.Contains(problem, text, StringComparison.Ordinal);
        Assert.Contains("/queueing/waylay-credentials", text, StringComparison.Ordinal);
        Assert.DoesNotContain(value, text, StringComparison.Ordinal);
    }
}
