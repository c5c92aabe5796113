using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Queueing.Emulators.IoT.Data;

/// <summary>
/// Verifies AWS Signature Version 4 (header form, <c>AWS4-HMAC-SHA256</c>) the way an AWS service does: rebuild
/// the canonical request from the request as received, derive the signing key from the secret, date, region and
/// service, and compare signatures. Error texts are AWS's, so a client sees locally what it would see in AWS.
/// </summary>
internal sealed class SigV4Verifier(SigV4Credentials credentials, string region, string service, TimeProvider time, TimeSpan allowedSkew)
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    private const string Terminator = "aws4_request";
    private const string AmzDateFormat = "yyyyMMdd'T'HHmmss'Z'";

    private readonly SigV4Credentials _credentials = credentials;
    private readonly string _region = region;
    private readonly string _service = service;
    private readonly TimeProvider _time = time;
    private readonly TimeSpan _allowedSkew = allowedSkew;

    /// <param name="rawTarget">The request target exactly as sent (path and query, still percent-encoded).</param>
    public SigV4Verification Verify(string method, string rawTarget, IHeaderDictionary headers, ReadOnlySpan<byte> body)
    {
        var authorization = headers.Authorization.ToString();
        if (authorization.Length == 0)
        {
            return SigV4Verification.Invalid("Missing Authentication Token");
        }

        if (!authorization.StartsWith(Algorithm + " ", StringComparison.Ordinal))
        {
            return SigV4Verification.Invalid("Unsupported Authorization Type");
        }

        var parameters = ParseAuthorization(authorization[(Algorithm.Length + 1)..]);
        var missing = new[] { "Credential", "SignedHeaders", "Signature" }.Where(p => !parameters.ContainsKey(p)).ToList();
        if (missing.Count > 0)
        {
            return SigV4Verification.Invalid(string.Concat(missing.Select(p => $"Authorization header requires '{p}' parameter. ")) + $"Authorization={authorization}");
        }

        if (!TryReadRequestTime(headers, out var amzDate, out var requestTime))
        {
            return SigV4Verification.Invalid("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
        }

        var scope = parameters["Credential"].Split('/');
        if (scope.Length != 5 || scope[4] != Terminator)
        {
            return SigV4Verification.Invalid($"Credential should be scoped to correct service: '{_service}'. ");
        }

        var (accessKey, scopeDate, scopeRegion, scopeService) = (scope[0], scope[1], scope[2], scope[3]);
        if (!string.Equals(accessKey, _credentials.AccessKeyId, StringComparison.Ordinal))
        {
            return SigV4Verification.Invalid("The security token included in the request is invalid.");
        }

        if (_credentials.SessionToken is { } token && !string.Equals(headers["X-Amz-Security-Token"].ToString(), token, StringComparison.Ordinal))
        {
            return SigV4Verification.Invalid("The security token included in the request is invalid.");
        }

        if (scopeDate != amzDate[..8])
        {
            return SigV4Verification.Invalid($"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scopeDate}' != '{amzDate[..8]}', from '{amzDate}'.");
        }

        if (scopeRegion != _region)
        {
            return SigV4Verification.Invalid($"Credential should be scoped to a valid region. ");
        }

        if (scopeService != _service)
        {
            return SigV4Verification.Invalid($"Credential should be scoped to correct service: '{_service}'. ");
        }

        var now = _time.GetUtcNow();
        if (requestTime < now - _allowedSkew)
        {
            return SigV4Verification.Invalid($"Signature expired: {amzDate} is now earlier than {Format(now - _allowedSkew)} ({Format(now)} - {_allowedSkew.TotalMinutes:0} min.)");
        }

        if (requestTime > now + _allowedSkew)
        {
            return SigV4Verification.Invalid($"Signature not yet current: {amzDate} is still later than {Format(now + _allowedSkew)} ({Format(now)} + {_allowedSkew.TotalMinutes:0} min.)");
        }

        var signedHeaders = parameters["SignedHeaders"].Split(';');
        if (!signedHeaders.Contains("host", StringComparer.Ordinal))
        {
            return SigV4Verification.Invalid("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        }

        var canonicalRequest = CanonicalRequest(method, rawTarget, headers, signedHeaders, parameters["SignedHeaders"], body);
        var credentialScope = $"{scopeDate}/{scopeRegion}/{scopeService}/{Terminator}";
        var stringToSign = $"{Algorithm}\n{amzDate}\n{credentialScope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        var expected = Hex(HMACSHA256.HashData(SigningKey(scopeDate), Encoding.UTF8.GetBytes(stringToSign)));
        var provided = parameters["Signature"];
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(provided)))
        {
            return SigV4Verification.Invalid(
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n" +
                $"The Canonical String for this request should have been\n'{canonicalRequest}'\n\nThe String-to-Sign should have been\n'{stringToSign}'\n");
        }

        return SigV4Verification.Valid;
    }

    /// <summary>The canonical request of the SigV4 specification, for services other than S3 (path segments are
    /// URI-encoded once more on top of the request's own encoding, i.e. twice).</summary>
    internal static string CanonicalRequest(string method, string rawTarget, IHeaderDictionary headers, IReadOnlyList<string> signedHeaders, string signedHeadersText, ReadOnlySpan<byte> body)
    {
        var queryStart = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = queryStart < 0 ? rawTarget : rawTarget[..queryStart];
        var rawQuery = queryStart < 0 ? string.Empty : rawTarget[(queryStart + 1)..];

        var path = rawPath.Length == 0 ? "/" : string.Join('/', rawPath.Split('/').Select(UriEncode));
        var query = string.Join('&', rawQuery
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair =>
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                var name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
                var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
                return (Name: UriEncode(name), Value: UriEncode(value));
            })
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value}"));

        var canonicalHeaders = new StringBuilder();
        foreach (var name in signedHeaders)
        {
            var values = headers[name].Select(v => CollapseSpaces(v ?? string.Empty));
            canonicalHeaders.Append(name).Append(':').Append(string.Join(',', values)).Append('\n');
        }

        var payloadHash = headers["X-Amz-Content-Sha256"].ToString() is "UNSIGNED-PAYLOAD"
            ? "UNSIGNED-PAYLOAD"
            : Hex(SHA256.HashData(body));

        return $"{method}\n{path}\n{query}\n{canonicalHeaders}\n{signedHeadersText}\n{payloadHash}";
    }

    private byte[] SigningKey(string date)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + _credentials.SecretAccessKey), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(_region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(_service));
        return HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(Terminator));
    }

    private static Dictionary<string, string> ParseAuthorization(string text)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                parameters[part[..equals]] = part[(equals + 1)..];
            }
        }

        return parameters;
    }

    private static bool TryReadRequestTime(IHeaderDictionary headers, out string amzDate, out DateTimeOffset time)
    {
        amzDate = headers["X-Amz-Date"].ToString();
        if (amzDate.Length > 0)
        {
            return DateTimeOffset.TryParseExact(amzDate, AmzDateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
        }

        if (DateTimeOffset.TryParse(headers.Date.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time))
        {
            amzDate = Format(time);
            return true;
        }

        return false;
    }

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString(AmzDateFormat, CultureInfo.InvariantCulture);

    /// <summary>RFC 3986 encoding as SigV4 defines it: everything but A-Z a-z 0-9 - _ . ~ becomes %XX (UTF-8).</summary>
    private static string UriEncode(string value)
    {
        var builder = new StringBuilder(value.Length);
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

    private static string CollapseSpaces(string value)
    {
        var builder = new StringBuilder(value.Length);
        var previousSpace = false;
        foreach (var c in value.Trim())
        {
            if (c == ' ')
            {
                if (!previousSpace)
                {
                    builder.Append(c);
                }

                previousSpace = true;
            }
            else
            {
                builder.Append(c);
                previousSpace = false;
            }
        }

        return builder.ToString();
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
