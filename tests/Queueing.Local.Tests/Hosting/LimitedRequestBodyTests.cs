using System.Net;
using Microsoft.AspNetCore.Http;
using Queueing.Emulators.Hosting;

namespace Queueing.Local.Tests.Hosting;

/// <summary>A request body read up to a limit, over real HTTP: with a Content-Length and chunked.</summary>
public sealed class LimitedRequestBodyTests
{
    private const int Limit = 100_000;

    [Theory]
    [InlineData(Limit, false)]
    [InlineData(Limit, true)]
    [InlineData(0, false)]
    public async Task Read_AtMostTheLimit_IsTheWholeBody(int size, bool chunked)
    {
        var (status, answer) = await PostAsync(size, chunked);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal($"read {size}", answer);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Read_OverTheLimit_IsNull(bool chunked)
    {
        var (status, answer) = await PostAsync(Limit + 1, chunked);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("over the limit", answer);
    }

    private static async Task<(HttpStatusCode Status, string Answer)> PostAsync(int size, bool chunked)
    {
        await using var host = await LoopbackHttpHost.StartAsync(async context =>
        {
            var body = await LimitedRequestBody.ReadAsync(context.Request, Limit, context.RequestAborted);
            context.Response.StatusCode = body is null ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status200OK;
            await context.Response.WriteAsync(body is null ? "over the limit" : $"read {body.Length}");
        });
        using var http = new HttpClient();
        var bytes = Enumerable.Repeat((byte)'x', size).ToArray();
        HttpContent content = chunked ? new StreamContent(new MemoryStream(bytes)) : new ByteArrayContent(bytes);
        if (chunked)
        {
            content.Headers.ContentLength = null;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, host.BaseAddress) { Content = content };
        request.Headers.TransferEncodingChunked = chunked;
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
