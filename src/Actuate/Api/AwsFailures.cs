using System.Net;
using Amazon.Runtime;
using Queueing.Shared.Secrets;

namespace Queueing.Actuate.Api;

/// <summary>
/// Why an AWS call of the command API (SSM for the secret, SQS for the queue) failed: worth a retry by the caller
/// (503) or a setup fault (500).
/// </summary>
internal static class AwsFailures
{
    /// <summary>Throttled or failing on AWS's side; the SDK has already retried it.</summary>
    public static bool IsTransient(AmazonServiceException ex) =>
        (int)ex.StatusCode >= 500
        || ex.StatusCode == HttpStatusCode.TooManyRequests
        || ex.ErrorCode is "ThrottlingException" or "RequestThrottled" or "KmsThrottled" or "ServiceUnavailable" or "InternalError" or "InternalServerError";

    /// <summary>Also the network, the SDK's own failures and our deadline.</summary>
    public static bool IsTransient(Exception ex) => ex switch
    {
        AmazonServiceException service => IsTransient(service),
        AmazonClientException or HttpRequestException or IOException or OperationCanceledException => true,
        _ => false,
    };

    public static bool IsConfiguration(Exception ex) => ex is SecretUnavailableException or AmazonServiceException;
}
