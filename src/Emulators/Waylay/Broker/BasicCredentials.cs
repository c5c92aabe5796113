using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Queueing.Emulators.Waylay.Broker;

/// <summary>Checks an <c>Authorization: Basic base64(apiKey:apiSecret)</c> header against the configured pair.</summary>
internal sealed class BasicCredentials(string apiKey, string apiSecret)
{
    private readonly byte[] _key = Encoding.UTF8.GetBytes(apiKey);
    private readonly byte[] _secret = Encoding.UTF8.GetBytes(apiSecret);

    /// <summary>Null when the header carries the right key and secret, else why not (for the 401 body).</summary>
    public string? Check(string? authorization)
    {
        if (string.IsNullOrEmpty(authorization))
        {
            return "Authentication required: HTTP Basic with your Waylay API key and secret.";
        }

        if (!AuthenticationHeaderValue.TryParse(authorization, out var header)
            || !header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase)
            || header.Parameter is null)
        {
            return "Unsupported authorization: the sandbox accepts HTTP Basic with your Waylay API key and secret.";
        }

        byte[] decoded;
        try
        {
            decoded = Convert.FromBase64String(header.Parameter);
        }
        catch (FormatException)
        {
            return "Malformed HTTP Basic credentials.";
        }

        var colon = Array.IndexOf(decoded, (byte)':');
        if (colon < 0)
        {
            return "Malformed HTTP Basic credentials.";
        }

        // Both halves are always compared so the time taken does not tell which one was wrong.
        var keyMatches = CryptographicOperations.FixedTimeEquals(decoded.AsSpan(0, colon), _key);
        var secretMatches = CryptographicOperations.FixedTimeEquals(decoded.AsSpan(colon + 1), _secret);
        return keyMatches & secretMatches ? null : "Invalid API key or secret.";
    }
}
