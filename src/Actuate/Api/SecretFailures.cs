using System.Net;
using Amazon.Runtime;
using Queueing.Shared.Secrets;

namespace Queueing.Actuate.Api;

/// <summary>Why reading the signing secret from SSM failed: worth a retry (503) or a setup fault (500).</summary>
internal static class SecretFailures
{
    public static bool IsTransient(Exception ex) => ex switch
    {
        AmazonServiceException service => (int)service.StatusCode >= 500 || service.StatusCode == HttpStatusCode.TooManyRequests
            || service.ErrorCode is "ThrottlingException" or "InternalServerError",
        AmazonClientException or HttpRequestException or IOException or OperationCanceledException => true,
        _ => false,
    };

    public static bool IsConfiguration(Exception ex) => ex is SecretUnavailableException or AmazonServiceException;
}
