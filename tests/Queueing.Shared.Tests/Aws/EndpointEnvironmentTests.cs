using Amazon.SQS;
using Amazon.SQS.Model;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using Queueing.Testing;

namespace Queueing.Shared.Tests.Aws;

/// <summary>
/// These tests change process-wide environment variables, so they run alone (after every parallel test).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "Process environment";
}

/// <summary>
/// The functions build their AWS clients with the default config (<c>new AmazonSQSClient()</c>); the local stack
/// and the tests redirect them with <c>AWS_ENDPOINT_URL</c> / <c>AWS_ENDPOINT_URL_&lt;SERVICE&gt;</c>. AWSSDK v4
/// reads these when a config's ServiceURL is first needed (ClientConfig.ServiceURL), so setting them in-process
/// before the client is built is what a child process with that environment sees.
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class EndpointEnvironmentTests : IClassFixture<MotoServer>, IDisposable
{
    private static readonly string[] Names =
    [
        "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL_SSM", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
        "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    ];

    private readonly MotoServer _moto;
    private readonly Dictionary<string, string?> _saved;

    public EndpointEnvironmentTests(MotoServer moto)
    {
        _moto = moto;
        _saved = Names.ToDictionary(n => n, Environment.GetEnvironmentVariable);
        foreach (var (name, value) in moto.ClientEnvironment)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public void Dispose()
    {
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    private static string DeadEndpoint => $"http://127.0.0.1:{MotoServer.FreeTcpPort()}";

    [Fact]
    public async Task DefaultSqsClient_AwsEndpointUrl_TalksToThatEndpoint()
    {
        var name = "env-" + Guid.NewGuid().ToString("N")[..12];
        using var client = new AmazonSQSClient();

        var created = await client.CreateQueueAsync(name);

        using var direct = _moto.CreateSqs();
        Assert.Equal(created.QueueUrl, (await direct.GetQueueUrlAsync(name)).QueueUrl);
        Assert.StartsWith(_moto.Endpoint.ToString().TrimEnd('/'), created.QueueUrl, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DefaultSqsClient_ServiceSpecificVariable_WinsOverTheGlobalOne()
    {
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL", DeadEndpoint);
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_SQS", _moto.Endpoint.ToString().TrimEnd('/'));
        var name = "env-" + Guid.NewGuid().ToString("N")[..12];
        using var client = new AmazonSQSClient();

        var created = await client.CreateQueueAsync(name);
        await client.SendMessageAsync(created.QueueUrl, "hello");

        using var direct = _moto.CreateSqs();
        var received = await direct.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = created.QueueUrl, WaitTimeSeconds = 0 });
        Assert.Equal("hello", Assert.Single(received.Messages).Body);
    }

    [Fact]
    public async Task DefaultSsmClient_AwsEndpointUrl_TalksToThatEndpoint()
    {
        var name = "/queueing/env/" + Guid.NewGuid().ToString("N");
        using var direct = _moto.CreateSsm();
        await direct.PutParameterAsync(new PutParameterRequest { Name = name, Value = "s3cret", Type = ParameterType.SecureString });
        using var client = new AmazonSimpleSystemsManagementClient();

        var parameter = await client.GetParameterAsync(new GetParameterRequest { Name = name, WithDecryption = true });

        Assert.Equal("s3cret", parameter.Parameter.Value);
    }

    [Fact]
    public async Task DefaultSqsClient_GlobalVariablePointsNowhere_FailsInsteadOfReachingAws()
    {
        // The control for the tests above: the variable is what decides where the default client goes.
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL", DeadEndpoint);
        var config = new AmazonSQSConfig { MaxErrorRetry = 0 };
        using var client = new AmazonSQSClient(config);

        await Assert.ThrowsAnyAsync<Exception>(() => client.ListQueuesAsync(new ListQueuesRequest()));
        Assert.Equal(Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL"), config.ServiceURL.TrimEnd('/'));
    }
}
