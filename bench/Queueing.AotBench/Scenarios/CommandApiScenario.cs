using System.Globalization;
using System.Text.Json;
using Amazon.SQS;
using Amazon.SQS.Model;
using Queueing.Contracts.Commands;
using Queueing.Contracts.Json;
using Queueing.Local.Events;

namespace Queueing.AotBench.Scenarios;

/// <summary>
/// The command API: per invocation one <c>POST /commands</c> HTTP API (payload 2.0) event, signed with the local
/// signing secret and a fresh Idempotency-Key (so every request is a distinct command), built as the local stack's
/// HTTP API builds it. SQS is moto (SendMessage to the template's <c>CommandQueue.fifo</c>, a real round trip of a
/// few milliseconds). Every invocation must answer 202, and after a run the queue must hold every accepted command.
/// </summary>
internal sealed class CommandApiScenario(int devices) : IBenchScenario
{
    private readonly HttpEventGenerator _requests = new(TimeProvider.System);
    private string _secret = string.Empty;
    private string _queueUrl = string.Empty;
    private AmazonSQSClient? _sqs;
    private long _accepted;
    private int _next;

    public string Unit => "request";

    public int ItemsPerInvocation => 1;

    public Task<IReadOnlyDictionary<string, string>> StartAsync(BenchStack stack, CancellationToken cancellationToken)
    {
        _secret = stack.Secrets.CommandSigningSecret;
        _queueUrl = stack.Function.Environment.GetValueOrDefault("COMMAND_QUEUE_URL")
            ?? throw new InvalidOperationException($"{stack.Function.LogicalId} has no COMMAND_QUEUE_URL in the template.");
        _sqs = stack.Provisioner.CreateSqs();
        // The template's settings point at moto already (queue URL, SSM parameter).
        return Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>(StringComparer.Ordinal));
    }

    public string Describe() =>
        $"api: one signed POST /commands (HTTP API payload 2.0) per invocation over {devices} devices; SQS SendMessage to moto (CommandQueue.fifo)";

    public byte[] NextEvent()
    {
        var device = "lamp-" + (_next++ % devices).ToString("D4", CultureInfo.InvariantCulture);
        var request = _requests.Generate(new HttpEventOptions
        {
            Body = $$"""{"deviceId":"{{device}}","payload":{"lightStatus":"on"},"ttlSeconds":60}""",
            SigningSecret = _secret,
            Headers = [new(CommandSignature.IdempotencyKeyHeader, Guid.NewGuid().ToString())],
        });
        return JsonSerializer.SerializeToUtf8Bytes(request, SharedJsonContext.Default.HttpApiRequest);
    }

    public StandInCount Count() => new(Interlocked.Read(ref _accepted), Interlocked.Read(ref _accepted), 0);

    public string? Check(byte[] response, StandInCount taken)
    {
        try
        {
            using var document = JsonDocument.Parse(response);
            if (document.RootElement.TryGetProperty("statusCode", out var status) && status.GetInt32() == 202)
            {
                Interlocked.Increment(ref _accepted);
                return null;
            }
        }
        catch (JsonException)
        {
        }

        return "The command API did not answer 202: " + System.Text.Encoding.UTF8.GetString(response);
    }

    public async Task<string?> CheckRunAsync(CancellationToken cancellationToken)
    {
        // Nothing consumes the queue, so it holds every command accepted since the start (all runs, warm-ups included).
        var attributes = await Sqs.GetQueueAttributesAsync(
            new GetQueueAttributesRequest { QueueUrl = _queueUrl, AttributeNames = ["ApproximateNumberOfMessages"] }, cancellationToken);
        var held = attributes.ApproximateNumberOfMessages;
        var accepted = Interlocked.Read(ref _accepted);
        return held == accepted ? null : $"{_queueUrl} holds {held} messages, but {accepted} commands were accepted.";
    }

    private AmazonSQSClient Sqs => _sqs ?? throw new InvalidOperationException("The scenario is not started.");

    public ValueTask DisposeAsync()
    {
        _sqs?.Dispose();
        return ValueTask.CompletedTask;
    }
}
