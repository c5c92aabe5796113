using System.Text;
using System.Text.Json;
using Queueing.Contracts.Events;
using Queueing.Contracts.Json;
using Queueing.Shared.Tests.Support;

namespace Queueing.Shared.Tests.Events;

public sealed class HttpApiEventTests
{
    private static HttpApiRequest Load() => JsonSerializer.Deserialize(Fixture.Text("http-api-request.json"), SharedJsonContext.Default.HttpApiRequest)!;

    [Fact]
    public void Deserialize_Request_ReadsTopLevelFields()
    {
        var request = Load();

        Assert.Equal("2.0", request.Version);
        Assert.Equal("POST /commands", request.RouteKey);
        Assert.Equal("/live/commands", request.RawPath);
        Assert.Equal("dryRun=true&tag=a&tag=b", request.RawQueryString);
        Assert.Equal(["session=abc123", "theme=dark"], request.Cookies!);
        Assert.Equal("a,b", request.QueryStringParameters!["tag"]);
        Assert.Equal("true", request.QueryStringParameters["dryRun"]);
        Assert.Equal("lamp-1", request.PathParameters!["deviceId"]);
        Assert.Equal(new Dictionary<string, string> { ["environment"] = "live", ["logLevel"] = "Debug" }, request.StageVariables);
        Assert.True(request.IsBase64Encoded);
        Assert.Equal("""{"deviceId":"lamp-1","payload":{"on":true}}""", Encoding.UTF8.GetString(Convert.FromBase64String(request.Body!)));
    }

    [Fact]
    public void Deserialize_RequestContext_ReadsHttpJwtAndAuthentication()
    {
        var context = Load().RequestContext!;

        Assert.Equal("123456789012", context.AccountId);
        Assert.Equal("a1b2c3d4e5", context.ApiId);
        Assert.Equal("a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com", context.DomainName);
        Assert.Equal("a1b2c3d4e5", context.DomainPrefix);
        Assert.Equal("JKJaXmPLvHcESHA=", context.RequestId);
        Assert.Equal("r4nd0m1", context.RouteId);
        Assert.Equal("POST /commands", context.RouteKey);
        Assert.Equal("live", context.Stage);
        Assert.Equal("28/Nov/2025:10:00:00 +0000", context.Time);
        Assert.Equal(1764324000000, context.TimeEpoch);
        Assert.Equal(("POST", "/live/commands", "HTTP/1.1", "198.51.100.7", "waylay-webscript/1.0"),
            (context.Http!.Method, context.Http.Path, context.Http.Protocol, context.Http.SourceIp, context.Http.UserAgent));
        Assert.Equal("waylay-rule-engine", context.Authorizer!.Jwt!.Claims!["sub"]);
        Assert.Equal(["commands:write", "commands:read"], context.Authorizer.Jwt.Scopes!);
        Assert.Null(context.Authorizer.Iam);
        Assert.Equal("CN=waylay.example.com", context.Authentication!.Value.GetProperty("clientCert").GetProperty("subjectDN").GetString());
    }

    [Fact]
    public void Serialize_Request_RoundTripsToTheSameJson()
    {
        Fixture.AssertSameJson(Fixture.Text("http-api-request.json"), JsonSerializer.Serialize(Load(), SharedJsonContext.Default.HttpApiRequest));
    }

    [Fact]
    public void Deserialize_IamAndLambdaAuthorizers_KeepsTheirDocuments()
    {
        const string json = """
            {"version":"2.0","requestContext":{"authorizer":{
              "iam":{"accessKey":"AKIA...","accountId":"111122223333","userArn":"arn:aws:iam::111122223333:user/u"},
              "lambda":{"allowed":true,"tenant":"waylay"}}}}
            """;

        var authorizer = JsonSerializer.Deserialize(json, SharedJsonContext.Default.HttpApiRequest)!.RequestContext!.Authorizer!;

        Assert.Equal("111122223333", authorizer.Iam!.Value.GetProperty("accountId").GetString());
        Assert.True(authorizer.Lambda!.Value.GetProperty("allowed").GetBoolean());
        Assert.Null(authorizer.Jwt);
    }

    [Theory]
    [InlineData("X-Queueing-Signature")]
    [InlineData("x-queueing-signature")]
    public void Header_AnyCase_FindsTheHeader(string name)
    {
        Assert.Equal("sha256=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Load().Header(name));
    }

    [Fact]
    public void Header_MissingOrNoHeaders_ReturnsNull()
    {
        Assert.Null(Load().Header("authorization"));
        Assert.Null(new HttpApiRequest().Header("content-type"));
    }

    [Fact]
    public void Response_Fixture_RoundTrips()
    {
        var response = JsonSerializer.Deserialize(Fixture.Text("http-api-response.json"), SharedJsonContext.Default.HttpApiResponse)!;

        Assert.Equal(202, response.StatusCode);
        Assert.Equal("/commands/c-1", response.Headers!["location"]);
        Assert.Equal(["seen=1; Path=/; Secure"], response.Cookies!);
        Assert.Equal("""{"commandId":"c-1"}""", response.Body);
        Assert.False(response.IsBase64Encoded);
        Fixture.AssertSameJson(Fixture.Text("http-api-response.json"), JsonSerializer.Serialize(response, SharedJsonContext.Default.HttpApiResponse));
    }

    [Fact]
    public void Response_OnlyStatus_OmitsAbsentMembers()
    {
        Assert.Equal("""{"statusCode":204,"isBase64Encoded":false}""", JsonSerializer.Serialize(new HttpApiResponse { StatusCode = 204 }, SharedJsonContext.Default.HttpApiResponse));
    }
}
