using System.Net;
using System.Text;
using Queueing.Ingest.Waylay;

namespace Queueing.Ingest.Tests.Waylay;

public sealed class WaylayAnswerTests
{
    [Theory]
    [InlineData(200, WaylayAnswerKind.Delivered)]
    [InlineData(201, WaylayAnswerKind.Delivered)]
    [InlineData(202, WaylayAnswerKind.Delivered)]
    [InlineData(204, WaylayAnswerKind.Delivered)]
    [InlineData(400, WaylayAnswerKind.Rejected)]
    [InlineData(413, WaylayAnswerKind.Rejected)]
    [InlineData(422, WaylayAnswerKind.Rejected)]
    [InlineData(401, WaylayAnswerKind.Unauthorized)]
    [InlineData(403, WaylayAnswerKind.Unauthorized)]
    [InlineData(408, WaylayAnswerKind.Transient)]
    [InlineData(429, WaylayAnswerKind.Transient)]
    [InlineData(500, WaylayAnswerKind.Transient)]
    [InlineData(502, WaylayAnswerKind.Transient)]
    [InlineData(503, WaylayAnswerKind.Transient)]
    [InlineData(504, WaylayAnswerKind.Transient)]
    [InlineData(599, WaylayAnswerKind.Transient)]
    [InlineData(301, WaylayAnswerKind.Misconfigured)]
    [InlineData(302, WaylayAnswerKind.Misconfigured)]
    [InlineData(404, WaylayAnswerKind.Misconfigured)]
    [InlineData(405, WaylayAnswerKind.Misconfigured)]
    [InlineData(409, WaylayAnswerKind.Misconfigured)]
    [InlineData(415, WaylayAnswerKind.Misconfigured)]
    public void Classify_EveryStatus_HasItsMeaning(int status, WaylayAnswerKind expected)
    {
        Assert.Equal(expected, WaylayAnswer.Classify(status));
    }

    [Theory]
    [InlineData(408, true)]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(429, false)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    public void IsBrokerFailure_ThrottlingDoesNotCount(int status, bool counts)
    {
        Assert.Equal(counts, WaylayAnswer.IsBrokerFailure(status));
    }

    [Fact]
    public void ErrorText_ErrorResponse_QuotesWaylaysError()
    {
        var text = WaylayErrorText.From(HttpStatusCode.BadRequest, "Bad Request", "{\"error\":\"Invalid event: lightValue\",\"code\":7}"u8);

        Assert.Equal("HTTP 400 Bad Request: Invalid event: lightValue", text);
    }

    [Fact]
    public void ErrorText_NotJson_QuotesTheBodyStart()
    {
        var html = "<html>" + new string('x', 1000) + "</html>";

        var text = WaylayErrorText.From(HttpStatusCode.BadGateway, "Bad Gateway", Encoding.UTF8.GetBytes(html));

        Assert.StartsWith("HTTP 502 Bad Gateway: <html>xxx", text, StringComparison.Ordinal);
        Assert.True(text.Length < 400);
    }

    [Fact]
    public void ErrorText_EmptyBody_IsTheStatusLine()
    {
        Assert.Equal("HTTP 503", WaylayErrorText.From(HttpStatusCode.ServiceUnavailable, null, []));
    }
}
