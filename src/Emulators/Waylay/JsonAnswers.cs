using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Queueing.Emulators.Waylay;

/// <summary>How the sandbox's HTTP services answer: a status code and a JSON body.</summary>
internal static class JsonAnswers
{
    extension(HttpContext context)
    {
        /// <summary>Answers the request with <paramref name="status"/> and <paramref name="body"/> as <c>application/json</c>.</summary>
        public async Task WriteJsonAsync(int status, JsonNode body)
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
        }
    }
}
