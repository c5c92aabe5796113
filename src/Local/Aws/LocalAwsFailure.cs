using System.Net.Sockets;
using Amazon.Runtime;

namespace Queueing.Local.Aws;

/// <summary>Whether an exception from an SQS or SSM call means the local AWS did not answer (refused, reset,
/// gone), as opposed to a bug or a cancellation of ours.</summary>
internal static class LocalAwsFailure
{
    public static bool Is(Exception ex) => ex switch
    {
        HttpRequestException or SocketException or IOException => true,
        // The SDK wraps transport failures once it has given up retrying them.
        AmazonServiceException { InnerException: { } inner } => Is(inner),
        AmazonClientException { InnerException: { } inner } => Is(inner),
        _ => false,
    };
}
