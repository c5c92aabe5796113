using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Queueing.Actuate.Tests.Support;

// Kept on purpose beside src/Emulators/IoT/Data/SigV4Verifier.cs: this is the independent check. It is written from
// AWS's documented algorithm apart from the emulator's verifier (and from the SDK's signer), so the publisher's
// signing is proved against AWS's rules rather than against our own reading of them in the emulator; a mistake
// would have to be made twice, the same way, to pass unnoticed. Do not replace it with the emulator's verifier.

/// <summary>
/// Checks an AWS Signature Version 4 the way the service side does, written here from the published algorithm
/// (not with the SDK), so the publisher's signing is proved independently: canonical request with each path
/// segment URI-encoded again (all services but S3), sorted query, the signed headers, the SHA-256 of the body.
/// </summary>
internal static class SigV4Verifier
{
    private const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>Null when the signature is valid for these credentials; otherwise what is wrong.</summary>
    public static string? Verify(
        string method,
        string rawTarget,
        IReadOnlyDictionary<string, string> headers,
        byte[] body,
        string accessKey,
        string secretKey,
        string region,
        string service,
        DateTimeOffset now)
    {
        if (!headers.TryGetValue("authorization", out var authorization) || !authorization.StartsWith(Algorithm + " ", StringComparison.Ordinal))
        {
            return "no AWS4-HMAC-SHA256 Authorization header";
        }

        var fields = authorization[(Algorithm.Length + 1)..]
            .Split(',', StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : "", StringComparer.Ordinal);
        var scope = fields.GetValueOrDefault("Credential", "").Split('/');
        if (scope.Length != 5 || scope[0] != accessKey || scope[2] != region || scope[3] != service || scope[4] != "aws4_request")
        {
            return $"credential scope '{fields.GetValueOrDefault("Credential")}' is not {accessKey}/<date>/{region}/{service}/aws4_request";
        }

        if (!headers.TryGetValue("x-amz-date", out var amzDate)
            || !DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt))
        {
            return "no valid X-Amz-Date";
        }

        if ((now - signedAt).Duration() > TimeSpan.FromMinutes(15) || scope[1] != amzDate[..8])
        {
            return $"X-Amz-Date {amzDate} is outside the 15-minute window or does not match the scope date";
        }

        var payloadHash = Convert.ToHexStringLower(SHA256.HashData(body));
        if (headers.TryGetValue("x-amz-content-sha256", out var claimed) && claimed != payloadHash)
        {
            return "X-Amz-Content-SHA256 does not match the body";
        }

        var signedHeaders = fields.GetValueOrDefault("SignedHeaders", "").Split(';');
        if (!signedHeaders.Contains("host") || !signedHeaders.Contains("x-amz-date"))
        {
            return "host and x-amz-date must be signed";
        }

        var canonicalHeaders = new StringBuilder();
        foreach (var name in signedHeaders)
        {
            if (!headers.TryGetValue(name, out var value))
            {
                return $"signed header '{name}' is not in the request";
            }

            canonicalHeaders.Append(name).Append(':').Append(string.Join(' ', value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries))).Append('\n');
        }

        var question = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? rawTarget : rawTarget[..question];
        var query = question < 0 ? "" : rawTarget[(question + 1)..];
        var canonicalRequest = string.Join('\n',
            method,
            string.Join('/', path.Split('/').Select(Encode)),
            CanonicalQuery(query),
            canonicalHeaders.ToString(),
            string.Join(';', signedHeaders),
            payloadHash);
        var stringToSign = string.Join('\n',
            Algorithm,
            amzDate,
            $"{scope[1]}/{region}/{service}/aws4_request",
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));
        var key = Hmac(Hmac(Hmac(Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), scope[1]), region), service), "aws4_request");
        var expected = Convert.ToHexStringLower(Hmac(key, stringToSign));
        return expected == fields.GetValueOrDefault("Signature") ? null : "signature mismatch";
    }

    private static string CanonicalQuery(string query) => string.Join('&', query
        .Split('&', StringSplitOptions.RemoveEmptyEntries)
        .Select(pair => pair.Split('=', 2))
        .Select(kv => (Key: Encode(Uri.UnescapeDataString(kv[0])), Value: Encode(Uri.UnescapeDataString(kv.Length > 1 ? kv[1] : ""))))
        .OrderBy(kv => kv.Key, StringComparer.Ordinal)
        .ThenBy(kv => kv.Value, StringComparer.Ordinal)
        .Select(kv => kv.Key + "=" + kv.Value));

    /// <summary>RFC 3986 percent-encoding of everything but the unreserved characters, upper-case hex.</summary>
    private static string Encode(string value)
    {
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
}
