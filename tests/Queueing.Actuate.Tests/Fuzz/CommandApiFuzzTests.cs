using Amazon.SQS;
using Queueing.Actuate.Tests.Support;
using Queueing.Testing;

namespace Queueing.Actuate.Tests.Fuzz;

public sealed class CommandApiFuzzTests : IClassFixture<MotoServer>
{
    private readonly AmazonSQSClient _sqs;

    public CommandApiFuzzTests(MotoServer moto) => _sqs = moto.CreateSqs();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task HandleAsync_GeneratedBadInputs_Every4xxProblemAndNothingEnqueued(int seed)
    {
        var time = Harness.Clock();
        var queues = await CommandQueues.CreateAsync(_sqs);
        var api = Harness.Api(_sqs, queues.QueueUrl, new FakeSecret(Harness.Secret), time);
        var inputs = new BadCommandInputs(seed, time.GetUtcNow()).All(randomCases: 150).ToList();

        foreach (var (name, request) in inputs)
        {
            // HandleAsync is the function's whole body: an exception here would be a function error.
            var response = await api.InvokeAsync(request, time);
            Assert.True(response.StatusCode is >= 400 and < 500, $"{name}: answered {response.StatusCode} {response.Body}");
            ProblemAssert.IsProblem(response, response.StatusCode);
        }

        Assert.True(inputs.Count > 200);
        Assert.Equal(0, await CommandQueues.CountAsync(_sqs, queues.QueueUrl));
    }
}
