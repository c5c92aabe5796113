using System.Text;
using System.Text.Json;
using Amazon.SQS;
using Amazon.SQS.Model;
using Queueing.Contracts.Settings;
using Queueing.Shared.Runtime;
using Queueing.Shared.Settings;

namespace Queueing.TestFunction;

/// <summary>The handlers, selected by <c>_HANDLER</c>.</summary>
internal static class TestHandlers
{
    public static IReadOnlyDictionary<string, FunctionFactory> All { get; } = new Dictionary<string, FunctionFactory>
    {
        ["echo"] = (_, _) => Task.FromResult<IFunctionHandler>(new EchoHandler()),
        ["throw"] = (_, _) => Task.FromResult<IFunctionHandler>(new ThrowHandler()),
        ["sleep"] = (_, _) => Task.FromResult<IFunctionHandler>(new SleepHandler()),
        ["env"] = (_, _) => Task.FromResult<IFunctionHandler>(new EnvironmentHandler(ProcessEnvironment.Read())),
        ["init-fail"] = InitFail,
        ["crash"] = (_, _) => Task.FromResult<IFunctionHandler>(new CrashHandler()),
        // Never finishes its init (the runtime never calls next): the emulator's init limit must stop it.
        ["init-hang"] = async (_, cancellationToken) =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return new EchoHandler();
        },
        // Exits during init without reporting anything, as a crashing runtime would.
        ["init-exit"] = (_, _) =>
        {
            Environment.Exit(3);
            return Task.FromResult<IFunctionHandler>(new EchoHandler());
        },
        ["send"] = (startup, _) =>
        {
            var queueUrl = startup.Settings.Required("TARGET_QUEUE_URL");
            startup.Settings.ThrowIfInvalid();
            return Task.FromResult<IFunctionHandler>(new SendHandler(new AmazonSQSClient(), queueUrl));
        },
    };

    private static async Task<IFunctionHandler> InitFail(FunctionStartup startup, CancellationToken cancellationToken)
    {
        // Written to stderr so a test can check that the emulator reports the child's last words with the error.
        await Console.Error.WriteLineAsync("init-fail: about to report a missing setting");
        startup.Settings.Required("TEST_REQUIRED_SETTING");
        startup.Settings.ThrowIfInvalid();
        return new EchoHandler();
    }
}

/// <summary>Returns the event unchanged and logs one line.</summary>
internal sealed class EchoHandler : IFunctionHandler
{
    public Task<byte[]> InvokeAsync(ReadOnlyMemory<byte> payload, InvocationContext context, CancellationToken cancellationToken)
    {
        Console.WriteLine($"echo: {payload.Length} bytes for {context.RequestId}");
        return Task.FromResult(payload.ToArray());
    }
}

/// <summary>Kills its own process mid-invocation (as an out-of-memory or a native crash would).</summary>
internal sealed class CrashHandler : IFunctionHandler
{
    public Task<byte[]> InvokeAsync(ReadOnlyMemory<byte> payload, InvocationContext context, CancellationToken cancellationToken)
    {
        Environment.Exit(7);
        return Task.FromResult(payload.ToArray());
    }
}

/// <summary>Always fails: the runtime loop reports the exception as a function error.</summary>
internal sealed class ThrowHandler : IFunctionHandler
{
    public Task<byte[]> InvokeAsync(ReadOnlyMemory<byte> payload, InvocationContext context, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("requested failure");
}

/// <summary>
/// Sleeps <c>{"milliseconds": N}</c> without honouring the deadline (to provoke timeouts), then answers
/// <c>{"slept": N, "pid": P, "invocation": I}</c> where I counts invocations served by this process.
/// </summary>
internal sealed class SleepHandler : IFunctionHandler
{
    private int _invocations;

    public async Task<byte[]> InvokeAsync(ReadOnlyMemory<byte> payload, InvocationContext context, CancellationToken cancellationToken)
    {
        using var request = JsonDocument.Parse(payload);
        var milliseconds = request.RootElement.GetProperty("milliseconds").GetInt32();
        Console.WriteLine($"sleep: {milliseconds} ms (pid {Environment.ProcessId})");
        await Task.Delay(milliseconds, cancellationToken);
        var invocation = Interlocked.Increment(ref _invocations);
        return Encoding.UTF8.GetBytes($"{{\"slept\":{milliseconds},\"pid\":{Environment.ProcessId},\"invocation\":{invocation},\"remainingMs\":{(long)context.RemainingTime.TotalMilliseconds},\"functionArn\":\"{context.FunctionArn}\",\"traceId\":\"{context.TraceId}\"}}");
    }
}

/// <summary>Answers the process environment as a JSON object (what the emulator gave the sandbox).</summary>
internal sealed class EnvironmentHandler : IFunctionHandler
{
    private readonly IReadOnlyDictionary<string, string> _variables;

    public EnvironmentHandler(IReadOnlyDictionary<string, string> variables) => _variables = variables;

    public Task<byte[]> InvokeAsync(ReadOnlyMemory<byte> payload, InvocationContext context, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in _variables.OrderBy(v => v.Key, StringComparer.Ordinal))
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
        }

        return Task.FromResult(buffer.ToArray());
    }
}

/// <summary>Sends the event as one message to TARGET_QUEUE_URL with the SDK's default client (endpoint from the environment).</summary>
internal sealed class SendHandler : IFunctionHandler
{
    private readonly IAmazonSQS _sqs;
    private readonly string _queueUrl;

    public SendHandler(IAmazonSQS sqs, string queueUrl)
    {
        _sqs = sqs;
        _queueUrl = queueUrl;
    }

    public async Task<byte[]> InvokeAsync(ReadOnlyMemory<byte> payload, InvocationContext context, CancellationToken cancellationToken)
    {
        var sent = await _sqs.SendMessageAsync(new SendMessageRequest(_queueUrl, Encoding.UTF8.GetString(payload.Span)), cancellationToken);
        return Encoding.UTF8.GetBytes($"{{\"messageId\":\"{sent.MessageId}\"}}");
    }
}
