using System.Globalization;
using System.Security.Cryptography;

namespace Queueing.Local.Lambda;

/// <summary>X-Ray trace headers in the shape Lambda passes as <c>Lambda-Runtime-Trace-Id</c>.</summary>
internal static class TraceIds
{
    public static string New(DateTimeOffset now) =>
        $"Root=1-{now.ToUnixTimeSeconds().ToString("x8", CultureInfo.InvariantCulture)}-{Hex(12)};Parent={Hex(8)};Sampled=0";

    private static string Hex(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));
}
