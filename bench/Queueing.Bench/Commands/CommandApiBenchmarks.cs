using System.Text;
using BenchmarkDotNet.Attributes;
using Queueing.Actuate.Api;
using Queueing.Contracts.Commands;
using Queueing.Contracts.Events;
using Queueing.Shared.Runtime;

namespace Queueing.Bench.Commands;

/// <summary>
/// The command API's CPU work per <c>POST /commands</c> on a warm instance (secret cached): signature check,
/// body validation, the queue message, and the whole handler — with SQS answering at once
/// (<see cref="InstantSqsClient"/>) or through the real SDK over an in-memory transport
/// (<see cref="InMemorySqsTransport"/>). Every figure is per request.
/// </summary>
// Min and median beside the mean: on a shared machine the mean carries the neighbours' load, the minimum less so.
[MemoryDiagnoser, MinColumn, MedianColumn]
public class CommandApiBenchmarks
{
    private readonly BenchClock _clock = new(CommandFixtures.SignedAt);
    private readonly InstantSqsClient _instantSqs = new();
    private readonly InMemorySqsTransport _sqsTransport = new();
    private SignatureVerifier _verifier = null!;
    private CommandRequestParser _parser = null!;
    private CommandQueueWriter _writer = null!;
    private CommandApiFunction _apiInstant = null!;
    private CommandApiFunction _apiSdk = null!;
    private HttpApiRequest _request = null!;
    private byte[] _event = [];
    private ReadOnlyMemory<byte> _body;
    private string _timestamp = "";
    private string _signature = "";
    private CommandRequest _parsed = null!;
    private InvocationContext _context = null!;

    [GlobalSetup]
    public void Setup()
    {
        _verifier = new SignatureVerifier(new SigningSecret(new FixedSigningSecret(CommandFixtures.Secret), "/queueing/bench", _clock), ReplayWindow.Default, _clock);
        _parser = new CommandRequestParser(300, 3600);
        _writer = new CommandQueueWriter(_instantSqs, CommandFixtures.QueueUrl);
        _apiInstant = CommandFixtures.Api(_instantSqs, _clock);
        _apiSdk = CommandFixtures.Api(InMemorySqsTransport.CreateClient(_sqsTransport), _clock);
        _request = CommandFixtures.SignedPost(CommandFixtures.Body, CommandFixtures.SignedAt);
        _event = CommandFixtures.EventBytes(_request);
        _body = Encoding.UTF8.GetBytes(CommandFixtures.Body);
        _timestamp = _request.Headers!["x-queueing-timestamp"];
        _signature = _request.Headers["x-queueing-signature"];
        _parsed = _parser.Parse(_body).Request ?? throw new InvalidOperationException("The benchmark body does not validate.");
        _context = CommandFixtures.Context(_clock, "CommandApiFunction");

        // Each path must do what it claims before it is timed.
        if (VerifySignature() is { } refusal)
        {
            throw new InvalidOperationException("The benchmark signature is refused: " + refusal);
        }

        if (BuildQueueMessage() is not null || _instantSqs.LastRequest?.MessageGroupId != "lamp-0042")
        {
            throw new InvalidOperationException("BuildQueueMessage did not enqueue.");
        }

        foreach (var status in new[] { HandlerInstantSend().GetAwaiter().GetResult(), HandlerSdkInMemory().GetAwaiter().GetResult() })
        {
            if (status != 202)
            {
                throw new InvalidOperationException($"The handler answered {status}, not 202.");
            }
        }

        if (InvokeSdkInMemory().GetAwaiter().GetResult() < 100 || _sqsTransport.Sends != 2)
        {
            throw new InvalidOperationException("The invocation did not send one message to the SQS stand-in.");
        }
    }

    /// <summary>Header syntax, the replay window, HMAC-SHA256 over timestamp.body, constant-time compare.</summary>
    [Benchmark]
    public string? VerifySignature()
    {
        var verdict = _verifier.VerifyAsync(new SignedRequest(_timestamp, "POST", "/commands", null, _body), _signature, CancellationToken.None);
        return verdict.IsCompletedSuccessfully ? verdict.Result : throw new InvalidOperationException("The cached secret should make this synchronous.");
    }

    /// <summary>JSON parse (no duplicates), the four fields and their rules, the raw payload text.</summary>
    [Benchmark]
    public CommandRequest? ParseAndValidate() => _parser.Parse(_body).Request;

    /// <summary>Dedup id (SHA-256 of the signed bytes), command id (UUIDv8), topic, the JSON body, the
    /// <c>SendMessageRequest</c> with its three attributes; the send itself returns at once.</summary>
    [Benchmark]
    public Problem? BuildQueueMessage()
    {
        var deduplicationId = CommandIdentity.DeduplicationId(_parsed.DeviceId, new SignedRequest(_timestamp, "POST", "/commands", null, _body));
        var command = CommandFixtures.Command(_parsed.DeviceId, _parsed.PayloadJson, _clock.GetUtcNow(), _parsed.TtlSeconds, deduplicationId);
        var sent = _writer.EnqueueAsync(command, deduplicationId, traceHeader: null, CancellationToken.None);
        return sent.IsCompletedSuccessfully ? sent.Result : throw new InvalidOperationException("The instant send should complete synchronously.");
    }

    /// <summary>The whole handler on the typed event (route, signature, media type, body, enqueue, answer, log
    /// line, metrics line), SQS answering at once.</summary>
    [Benchmark]
    public async Task<int> HandlerInstantSend() => (await _apiInstant.HandleAsync(_request, _context, CancellationToken.None)).StatusCode;

    /// <summary>As <see cref="HandlerInstantSend"/>, plus the real SQS client: marshalling, SigV4, the response
    /// and its MD5 check.</summary>
    [Benchmark]
    public async Task<int> HandlerSdkInMemory() => (await _apiSdk.HandleAsync(_request, _context, CancellationToken.None)).StatusCode;

    /// <summary>What the Runtime API loop calls: event bytes in (deserialised), response bytes out.</summary>
    [Benchmark]
    public async Task<int> InvokeSdkInMemory() => (await _context.InvokeAsync(_apiSdk, _event, CancellationToken.None)).Length;
}
