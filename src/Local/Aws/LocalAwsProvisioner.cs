using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using Queueing.Emulators.Template;
using Queueing.Local.Functions;

namespace Queueing.Local.Aws;

/// <summary>
/// Creates what the template deploys into the local AWS: every queue with its attributes (redrive policies once
/// all queues exist, since they name each other's ARNs) and the SecureString parameters the functions read.
/// </summary>
internal sealed class LocalAwsProvisioner
{
    private readonly LocalAwsAccess _access;
    private readonly TextWriter _log;

    public LocalAwsProvisioner(LocalAwsAccess access, TextWriter log)
    {
        _access = access;
        _log = log;
    }

    public AmazonSQSClient CreateSqs() => new(Credentials, new AmazonSQSConfig { ServiceURL = _access.EndpointUrl, AuthenticationRegion = _access.Region });

    public AmazonSimpleSystemsManagementClient CreateSsm() =>
        new(Credentials, new AmazonSimpleSystemsManagementConfig { ServiceURL = _access.EndpointUrl, AuthenticationRegion = _access.Region });

    private static BasicAWSCredentials Credentials => new(LocalAwsAccess.AccessKeyId, LocalAwsAccess.SecretAccessKey);

    public async Task ProvisionAsync(StackModel model, LocalSecrets secrets, CancellationToken cancellationToken)
    {
        try
        {
            using var sqs = CreateSqs();
            await CreateQueuesAsync(sqs, model.Queues.Values, cancellationToken);
            using var ssm = CreateSsm();
            await PutSecretsAsync(ssm, model.Functions.Values, secrets, cancellationToken);
        }
        catch (AmazonServiceException ex)
        {
            throw new LocalAwsException($"Setting up the local AWS at {_access.EndpointUrl} failed: {ex.Message}", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new LocalAwsException($"The local AWS at {_access.EndpointUrl} cannot be reached: {ex.Message}", ex);
        }
    }

    private async Task CreateQueuesAsync(AmazonSQSClient sqs, IEnumerable<QueueDefinition> queues, CancellationToken cancellationToken)
    {
        var created = queues.ToList();
        foreach (var queue in created)
        {
            var response = await sqs.CreateQueueAsync(
                new CreateQueueRequest
                {
                    QueueName = queue.QueueName,
                    Attributes = new Dictionary<string, string>(queue.Attributes),
                    Tags = queue.Tags.Count > 0 ? new Dictionary<string, string>(queue.Tags) : null,
                },
                cancellationToken);
            // The template model built this URL for the functions' environment; it must be the queue's real one.
            if (response.QueueUrl != queue.Url)
            {
                throw new LocalAwsException(
                    $"{queue.LogicalId}: the local AWS created {response.QueueUrl}, but the functions were told {queue.Url}. " +
                    $"The endpoint must serve queue URLs as {{endpoint}}/{{account}}/{{name}} for account {StackContext.LocalAccountId} (moto does).");
            }
        }

        foreach (var queue in created.Where(q => q.RedrivePolicy is not null || q.RedriveAllowPolicy is not null))
        {
            var attributes = new Dictionary<string, string>();
            if (queue.RedrivePolicy is { } redrive)
            {
                attributes["RedrivePolicy"] = redrive;
            }

            if (queue.RedriveAllowPolicy is { } allow)
            {
                attributes["RedriveAllowPolicy"] = allow;
            }

            await sqs.SetQueueAttributesAsync(new SetQueueAttributesRequest(queue.Url, attributes), cancellationToken);
        }

        await _log.WriteLineAsync($"Local AWS: {created.Count} queue(s): {string.Join(", ", created.Select(q => q.QueueName))}");
    }

    private async Task PutSecretsAsync(AmazonSimpleSystemsManagementClient ssm, IEnumerable<FunctionDefinition> functions, LocalSecrets secrets, CancellationToken cancellationToken)
    {
        var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var function in functions)
        {
            foreach (var (variable, name) in function.Environment)
            {
                if (secrets.ValueFor(variable) is { } value)
                {
                    parameters[name] = value;
                }
            }
        }

        foreach (var (name, value) in parameters)
        {
            await ssm.PutParameterAsync(
                new PutParameterRequest { Name = name, Value = value, Type = ParameterType.SecureString, Overwrite = true },
                cancellationToken);
        }

        if (parameters.Count > 0)
        {
            await _log.WriteLineAsync($"Local AWS: SecureString parameter(s): {string.Join(", ", parameters.Keys)}");
        }
    }
}
