using System.Text;
using System.Text.Json;
using Amazon.SQS;
using Queueing.Actuate.Tests.Support;
using Queueing.Contracts.Events;
using Queueing.Testing;

namespace Queueing.Actuate.Tests.Fuzz;

/// <summary>
/// An attacker's view: one valid signed request, captured, then mutated thousands of times (random and
/// adversarial changes to every header, the body, the method, the path and the base64 flag) and replayed. Whatever
/// comes back is never a 5xx nor a function error; a 202 is only ever the original command again (same commandId);
/// and in the end the queue holds exactly the one command that was signed.
/// </summary>
public sealed class SignedRequestMutationTests : IClassFixture<MotoServer>
{
    private const string Body = """{"deviceId":"lamp-1","payload":{"lightStatus":"on"},"ttlSeconds":60}""";
    private const string Key = "task-7:1764288000";

    private static readonly string[] HeaderNames =
        ["x-queueing-timestamp", "x-queueing-signature", "idempotency-key", "content-type", "user-agent", "X-Queueing-Signature", "Idempotency-Key"];

    private static readonly string[] Adversarial =
    [
        "", " ", "\0", "\u0001", "\r\n", "\t", "999999999999", "99999999999", "-1", "0", "1e10", "0x10", "+1764288000", "١٧٦٤٢٨٨٠٠٠",
        "v1=", "v1=" + new string('0', 64), "v1=" + new string('Z', 64), "v2=" + new string('a', 64), "\uFFFF", "\uD800", "é",
        new string('a', 40_000), string.Join(',', Enumerable.Repeat("v1=" + new string('f', 64), 600)), "application/json; charset=latin1",
    ];

    private readonly AmazonSQSClient _sqs;

    public SignedRequestMutationTests(MotoServer moto) => _sqs = moto.CreateSqs();

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public async Task HandleAsync_ThousandsOfMutationsOfOneSignedRequest_NeverA5xxAndOnlyTheSignedCommandIsEnqueued(int seed)
    {
        var random = new Random(seed);
        var time = Harness.Clock();
        var queues = await CommandQueues.CreateAsync(_sqs);
        var api = Harness.Api(_sqs, queues.QueueUrl, new FakeSecret(Harness.Secret), time);

        var original = await api.InvokeAsync(SignedRequests.Post(Body, Harness.Secret, time.GetUtcNow(), Key), time);
        Assert.Equal(202, original.StatusCode);
        var commandId = CommandId(original);

        var answers = new Dictionary<int, int>();
        for (var i = 0; i < 2500; i++)
        {
            var (name, request) = Mutate(random, SignedRequests.Post(Body, Harness.Secret, time.GetUtcNow(), Key));
            // HandleAsync is the function's whole body: an exception here would be a function error.
            var response = await api.InvokeAsync(request, time);
            answers[response.StatusCode] = answers.GetValueOrDefault(response.StatusCode) + 1;

            Assert.True(response.StatusCode < 500, $"#{i} {name}: answered {response.StatusCode} {response.Body}");
            if (response.StatusCode == 202)
            {
                Assert.True(CommandId(response) == commandId, $"#{i} {name}: a 202 for another command {response.Body}");
            }
            else
            {
                Assert.True(response.StatusCode is >= 400 and < 500, $"#{i} {name}: answered {response.StatusCode}");
                ProblemAssert.IsProblem(response, response.StatusCode);
            }
        }

        // Most mutations break the signature; some leave every signed input as it was (an unsigned header, the
        // same bytes as base64), and those are the original command again.
        Assert.True(answers.GetValueOrDefault(401) > 1000, string.Join(", ", answers));
        Assert.True(answers.GetValueOrDefault(202) > 0, string.Join(", ", answers));
        Assert.Equal(1, await CommandQueues.CountAsync(_sqs, queues.QueueUrl));
    }

    private static string CommandId(HttpApiResponse response) =>
        JsonDocument.Parse(response.Body!).RootElement.GetProperty("commandId").GetString()!;

    private static (string Name, HttpApiRequest Request) Mutate(Random random, HttpApiRequest request)
    {
        var headers = request.Headers!;
        var bytes = Encoding.UTF8.GetBytes(request.Body!);
        switch (random.Next(10))
        {
            case 0:
            {
                var at = random.Next(bytes.Length);
                bytes[at] ^= (byte)(1 << random.Next(8));
                return ($"bit flip at {at}", AsBase64(request, bytes));
            }

            case 1:
            {
                var length = random.Next(bytes.Length);
                return ($"truncated to {length}", AsBase64(request, bytes[..length]));
            }

            case 2:
            {
                var extra = new byte[random.Next(1, 64)];
                random.NextBytes(extra);
                return ($"{extra.Length} bytes appended", AsBase64(request, [.. bytes, .. extra]));
            }

            case 3:
            {
                var name = HeaderNames[random.Next(HeaderNames.Length)];
                var value = headers.TryGetValue(name, out var current) && current.Length > 0 ? current : "x";
                var at = random.Next(value.Length);
                var replaced = value[..at] + (char)random.Next(0, 0x80) + value[(at + 1)..];
                headers[name] = replaced;
                return ($"one character of {name} changed at {at}", request);
            }

            case 4:
            {
                var name = HeaderNames[random.Next(HeaderNames.Length)];
                var value = Adversarial[random.Next(Adversarial.Length)];
                headers[name] = value;
                return ($"{name} = {Show(value)}", request);
            }

            case 5:
            {
                var name = HeaderNames[random.Next(3)];
                headers.Remove(name);
                return ($"{name} removed", request);
            }

            case 6:
            {
                var method = new[] { "post", "PUT", "GET", "Post", "POST " }[random.Next(5)];
                request.RequestContext!.Http!.Method = method;
                return ($"method {method}", request);
            }

            case 7:
            {
                var path = new[] { "/commands/", "/prod/commands", "/Commands", "//commands", "/commands%00", "/commands\n" }[random.Next(6)];
                request.RawPath = path;
                request.RequestContext!.Http!.Path = path;
                return ($"path {Show(path)}", request);
            }

            case 8:
            {
                // Marked base64 by API Gateway: either correct (the same signed bytes) or garbage.
                if (random.Next(2) == 0)
                {
                    return ("the same bytes as base64", AsBase64(request, bytes));
                }

                request.IsBase64Encoded = true;
                return ("marked base64 but is not", request);
            }

            default:
            {
                var name = "x-junk-" + random.Next(100);
                headers[name] = Adversarial[random.Next(Adversarial.Length)];
                return ($"unsigned header {name}", request);
            }
        }
    }

    private static HttpApiRequest AsBase64(HttpApiRequest request, byte[] bytes)
    {
        request.Body = Convert.ToBase64String(bytes);
        request.IsBase64Encoded = true;
        return request;
    }

    private static string Show(string value) => value.Length > 40 ? $"{value[..20]}…({value.Length} chars)" : JsonSerializer.Serialize(value);
}
