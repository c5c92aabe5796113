using System.Globalization;
using System.Security.Cryptography;

namespace Queueing.Emulators.Lambda;

/// <summary>
/// X-Ray trace headers in the shape Lambda passes as <c>Lambda-Runtime-Trace-Id</c>:
/// <c>Root=1-{8 hex: epoch seconds}-{24 hex};Parent={16 hex};Sampled=1</c>.
/// </summary>
internal static class TraceIds
{
    /// <summary>A new trace: what Lambda starts for an invocation nobody passed a trace into.</summary>
    public static string New(DateTimeOffset now) =>
        $"Root={NewRoot(now)};Parent={Hex(8)};Sampled=1";

    /// <summary>
    /// The header of an invocation that joins <paramref name="source"/> (an SQS record's <c>AWSTraceHeader</c>): the
    /// same root and sampling decision, a new parent (the invocation's own segment). A source without a usable
    /// root starts a new trace, as Lambda does for a record whose header it cannot read.
    /// </summary>
    public static string Continue(string? source, DateTimeOffset now)
    {
        var root = Field(source, "Root");
        if (root is null)
        {
            return New(now);
        }

        var sampled = Field(source, "Sampled") ?? "1";
        return $"Root={root};Parent={Hex(8)};Sampled={sampled}";
    }

    /// <summary>The value of one <c>Key=value</c> field of a trace header, or null.</summary>
    public static string? Field(string? header, string key)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }

        foreach (var part in header.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && part.AsSpan(0, equals).Equals(key, StringComparison.Ordinal) && equals < part.Length - 1)
            {
                return part[(equals + 1)..];
            }
        }

        return null;
    }

    private static string NewRoot(DateTimeOffset now) =>
        $"1-{now.ToUnixTimeSeconds().ToString("x8", CultureInfo.InvariantCulture)}-{Hex(12)}";

    private static string Hex(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));
}
