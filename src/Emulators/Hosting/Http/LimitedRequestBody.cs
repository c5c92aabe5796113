using Microsoft.AspNetCore.Http;

namespace Queueing.Emulators.Hosting;

/// <summary>
/// A request body read whole, up to the limit of the service a local server emulates (API Gateway's, IoT Data's):
/// the server answers an oversized body itself, in that service's words, so Kestrel's own limit is set above it.
/// </summary>
public static class LimitedRequestBody
{
    private const int ChunkBytes = 64 * 1024;

    /// <summary>The body, or null when it is over <paramref name="limit"/> bytes (by its Content-Length, or as it
    /// is read when the client sent none).</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[ChunkBytes];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limit)
            {
                return null;
            }
        }

        return buffer.ToArray();
    }
}
