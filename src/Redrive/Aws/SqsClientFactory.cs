using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.SQS;

namespace Queueing.Redrive.Aws;

/// <summary>
/// Builds the SQS client from the global options. Without options the SDK's own resolution applies
/// (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL(_SQS), the default credential chain). Tests pass fixed credentials
/// because moto accepts any and the test process has none of its own, and may record the requests on the wire
/// (<paramref name="httpClients"/>) to check what moto does not keep.
/// </summary>
internal sealed class SqsClientFactory(AWSCredentials? fixedCredentials, HttpClientFactory? httpClients = null)
{
    public static SqsClientFactory DefaultChain { get; } = new(null);

    public IAmazonSQS Create(ConnectionOptions options)
    {
        var config = new AmazonSQSConfig();
        if (httpClients is not null)
        {
            config.HttpClientFactory = httpClients;
        }

        if (options.Profile is not null)
        {
            if (!new CredentialProfileStoreChain().TryGetProfile(options.Profile, out _))
            {
                throw new UsageException($"AWS profile '{options.Profile}' was not found in ~/.aws/config or ~/.aws/credentials.");
            }

            config.Profile = new Profile(options.Profile);
        }

        if (options.EndpointUrl is not null)
        {
            config.ServiceURL = options.EndpointUrl.ToString();
            if (options.Region is not null)
            {
                config.AuthenticationRegion = options.Region;
            }
        }
        else if (options.Region is not null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        try
        {
            return fixedCredentials is null ? new AmazonSQSClient(config) : new AmazonSQSClient(fixedCredentials, config);
        }
        catch (AmazonClientException ex)
        {
            // No region anywhere, a broken profile: the SDK says so at construction.
            var hint = options.Region is null && options.EndpointUrl is null ? " Pass --region, or set AWS_REGION, or use a profile with a region." : "";
            throw new UsageException($"Cannot configure the SQS client: {ex.Message}.{hint}");
        }
    }
}
