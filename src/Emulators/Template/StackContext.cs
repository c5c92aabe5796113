namespace Queueing.Emulators.Template;

/// <summary>
/// The pseudo parameters and local endpoints a template resolves against: the local stand-in for the account,
/// region and stack CloudFormation would provide.
/// </summary>
public sealed record StackContext
{
    /// <summary>moto's default account: the ARNs it builds carry this id.</summary>
    public const string LocalAccountId = "123456789012";

    /// <summary><c>AWS::StackName</c>, which names the resources a template derives from it; give the deployed name.</summary>
    public string StackName { get; init; } = "local";
    public string Region { get; init; } = "us-east-1";
    public string AccountId { get; init; } = LocalAccountId;

    /// <summary>The SQS endpoint queue URLs are built on (moto serves <c>{endpoint}/{account}/{queue}</c>).</summary>
    public Uri SqsEndpoint { get; init; } = new("http://127.0.0.1:4566/");

    /// <summary>Where HTTP APIs are served locally; null gives the AWS-shaped endpoint.</summary>
    public Uri? HttpApiEndpoint { get; init; }

    public string Partition => Region.StartsWith("cn-", StringComparison.Ordinal) ? "aws-cn"
        : Region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov"
        : "aws";

    public string UrlSuffix => Partition == "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";

    public string StackId => $"arn:{Partition}:cloudformation:{Region}:{AccountId}:stack/{StackName}/00000000-0000-0000-0000-000000000000";

    public string Arn(string service, string resource, bool regional = true) =>
        $"arn:{Partition}:{service}:{(regional ? Region : string.Empty)}:{AccountId}:{resource}";
}
