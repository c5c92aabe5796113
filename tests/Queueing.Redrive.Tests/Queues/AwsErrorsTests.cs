using System.Net;
using Amazon.Runtime;
using Amazon.SQS;
using Queueing.Redrive.Aws;

namespace Queueing.Redrive.Tests.Queues;

public sealed class AwsErrorsTests
{
    private static readonly ConnectionOptions Connection = new(null, "eu-west-1", null);

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, "", true)]
    [InlineData(HttpStatusCode.BadRequest, "UnknownOperationException", true)]
    [InlineData(HttpStatusCode.BadRequest, "InvalidAction", true)]
    [InlineData(HttpStatusCode.NotImplemented, "", true)]
    [InlineData(HttpStatusCode.InternalServerError, "InternalFailure", false)]
    [InlineData(HttpStatusCode.BadRequest, "UnsupportedOperation", true)]
    [InlineData(HttpStatusCode.BadRequest, "InvalidParameterValue", false)]
    public void IsUnsupportedOperation_TellsAnUnknownActionFromARealFailure(HttpStatusCode status, string code, bool expected) =>
        Assert.Equal(expected, AwsErrors.IsUnsupportedOperation(new AmazonSQSException("boom") { StatusCode = status, ErrorCode = code }));

    [Fact]
    public void Describe_CredentialChainFailure_IsOneLineWithTheRemedy()
    {
        var ex = new AmazonClientException("Failed to resolve AWS credentials. The credential providers used to search for credentials returned the following errors:\n\nException 1 of 4: not set.\nException 2 of 4: no profile.");

        var line = AwsErrors.Describe(ex, Connection);

        Assert.Equal("No usable AWS credentials (Failed to resolve AWS credentials): pass --profile, or set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.", line);
    }

    [Theory]
    [InlineData("InvalidClientTokenId", HttpStatusCode.Forbidden)]
    [InlineData("SignatureDoesNotMatch", HttpStatusCode.Forbidden)]
    [InlineData("ExpiredToken", HttpStatusCode.BadRequest)]
    public void Describe_RejectedCredentials_SaysSo(string code, HttpStatusCode status) =>
        Assert.StartsWith($"AWS rejected the credentials ({code})", AwsErrors.Describe(new AmazonSQSException("no") { ErrorCode = code, StatusCode = status }, Connection));

    [Fact]
    public void Describe_AccessDenied_IsAPermissionProblemNotACredentialOne() =>
        Assert.StartsWith("Not allowed (AccessDenied)", AwsErrors.Describe(new AmazonSQSException("no") { ErrorCode = "AccessDenied", StatusCode = HttpStatusCode.Forbidden }, Connection));

    [Fact]
    public void Describe_SomethingElse_IsNotAnAwsFailure() =>
        Assert.Null(AwsErrors.Describe(new InvalidOperationException("bug"), Connection));
}
