using System.Net;
using Amazon.Runtime;
using Amazon.SQS.Model;

namespace Queueing.Redrive.Aws;

/// <summary>Turns what the SDK throws into one line an operator can act on.</summary>
internal static class AwsErrors
{
    private static readonly HashSet<string> CredentialCodes = new(StringComparer.Ordinal)
    {
        "InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch", "IncompleteSignature",
        "ExpiredToken", "ExpiredTokenException", "InvalidAccessKeyId", "MissingAuthenticationToken", "InvalidSecurity",
    };

    private static readonly HashSet<string> PermissionCodes = new(StringComparer.Ordinal)
    {
        "AccessDenied", "AccessDeniedException", "KMS.AccessDeniedException",
    };

    // What emulators and old endpoints answer for an action they do not know. moto answers HTTP 500 with an HTML
    // page (no AWS error code at all), which AWS itself never does: a real AWS 5xx carries InternalFailure & co.
    private static readonly HashSet<string> UnknownOperationCodes = new(StringComparer.OrdinalIgnoreCase)
    {
        "UnknownOperationException", "UnknownOperation", "InvalidAction", "NotImplemented", "UnsupportedOperation",
        "UnsupportedOperationException", "NotImplementedException",
    };

    /// <summary>
    /// An AWS call that failed: the service refused it, the SDK could not make it (e.g. the credentials expired
    /// mid-run) or the network failed. What a command reports per message or per scan rather than dying on.
    /// </summary>
    public static bool IsCallFailure(Exception ex) =>
        ex is AmazonServiceException or AmazonClientException or HttpRequestException or IOException;

    public static bool IsCredentialProblem(AmazonServiceException ex) =>
        CredentialCodes.Contains(ex.ErrorCode ?? "") || (ex.StatusCode == HttpStatusCode.Forbidden && !PermissionCodes.Contains(ex.ErrorCode ?? ""));

    public static bool IsUnsupportedOperation(AmazonServiceException ex) =>
        UnknownOperationCodes.Contains(ex.ErrorCode ?? "")
        || ex.StatusCode is HttpStatusCode.NotImplemented or HttpStatusCode.NotFound
        || ((int)ex.StatusCode >= 500 && string.IsNullOrEmpty(ex.ErrorCode))
        || ex.Message.Contains("not been implemented", StringComparison.OrdinalIgnoreCase)
        || ex.Message.Contains("not implemented", StringComparison.OrdinalIgnoreCase);

    public static bool IsQueueMissing(AmazonServiceException ex) =>
        ex is QueueDoesNotExistException || ex.ErrorCode is "AWS.SimpleQueueService.NonExistentQueue" or "QueueDoesNotExist";

    /// <summary>A one-line description of a failure that stops the whole command (exit code 2), or null.</summary>
    public static string? Describe(Exception ex, ConnectionOptions connection) =>
        DescribeLines(ex, connection) is { } text ? string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) : null;

    private static string? DescribeLines(Exception ex, ConnectionOptions connection)
    {
        switch (ex)
        {
            case AmazonServiceException service when IsCredentialProblem(service):
                return $"AWS rejected the credentials ({Code(service)}): {service.Message} Check --profile, AWS_PROFILE or the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in use ({connection.Describe()}).";
            case AmazonServiceException service when PermissionCodes.Contains(service.ErrorCode ?? ""):
                return $"Not allowed ({Code(service)}): {service.Message}";
            case AmazonServiceException service when IsQueueMissing(service):
                return $"Queue does not exist ({connection.Describe()}): {service.Message}";
            case AmazonServiceException service when service.InnerException is HttpRequestException http:
                return $"Cannot reach SQS at {connection.Describe()}: {http.Message}";
            case AmazonServiceException service:
                return $"SQS answered {(int)service.StatusCode} {Code(service)}: {service.Message}";
            case HttpRequestException http:
                return $"Cannot reach SQS at {connection.Describe()}: {http.Message}";
            case AmazonClientException client when client.Message.Contains("credentials", StringComparison.OrdinalIgnoreCase):
                // The SDK lists every provider it tried, one per line; the operator needs the remedy.
                return $"No usable AWS credentials ({FirstLine(client.Message)}): pass --profile, or set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.";
            case AmazonClientException client:
                return $"AWS SDK: {client.Message}";
            default:
                return null;
        }
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Split(". ", 2)[0].Trim().TrimEnd('.', ':');

    public static string Code(AmazonServiceException ex) => string.IsNullOrEmpty(ex.ErrorCode) ? "no error code" : ex.ErrorCode;
}
