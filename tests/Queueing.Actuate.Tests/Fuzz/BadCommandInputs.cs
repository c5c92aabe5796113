using System.Text;
using System.Text.Json;
using Queueing.Actuate.Tests.Support;
using Queueing.Contracts.Commands;
using Queueing.Contracts.Events;

namespace Queueing.Actuate.Tests.Fuzz;

/// <summary>
/// Generated requests that must all be refused: random bytes, deep nesting, huge strings, wrong types, topic
/// injection, broken headers and routes. Seeded, so a failure reproduces. None of them is a valid command.
/// </summary>
internal sealed class BadCommandInputs(int seed, DateTimeOffset now)
{
    private readonly Random _random = new(seed);

    public static readonly string[] InjectedDeviceIds =
    [
        "a/b", "+", "#", "$aws/things/lamp-1/shadow/update", "$aws", "lamp-1/#", "devices/+/commands", "lamp-1/../x",
        "lamp%2F1", "lamp\u0000", "lamp\n1", " lamp", "lamp ", "", "ｌａｍｐ", "lamp\u2215b", "lamp\u200b", "é", "lamp.1",
        new string('a', 129), new string('a', 200_000),
    ];

    public IEnumerable<(string Name, HttpApiRequest Request)> All(int randomCases)
    {
        foreach (var id in InjectedDeviceIds)
        {
            yield return ("injected deviceId " + Show(id), Signed(Command(JsonSerializer.Serialize(id))));
        }

        yield return ("topic field", Signed("{\"deviceId\":\"lamp-1\",\"payload\":1,\"topic\":\"$aws/things/x/shadow/update\"}"));
        yield return ("duplicate deviceId", Signed("{\"deviceId\":\"lamp-1\",\"deviceId\":\"a/b\",\"payload\":1}"));
        yield return ("deep array payload", Signed(Command("\"lamp-1\"", new string('[', 5000) + new string(']', 5000))));
        yield return ("deep object payload", Signed(Command("\"lamp-1\"", string.Concat(Enumerable.Repeat("{\"a\":", 2000)) + "1" + new string('}', 2000))));
        yield return ("unclosed nesting", Signed(Command("\"lamp-1\"", new string('[', 100_000))));
        yield return ("huge payload string", Signed(Command("\"lamp-1\"", "\"" + new string('x', 140_000) + "\"")));
        yield return ("huge body", Signed(new string(' ', 600_000) + "{}"));
        yield return ("huge unknown field", Signed("{\"deviceId\":\"lamp-1\",\"payload\":1,\"" + new string('k', 100_000) + "\":1}"));
        yield return ("lone surrogate field name", Signed("{\"deviceId\":\"lamp-1\",\"payload\":1,\"\\ud800\":1}"));
        yield return ("invalid UTF-8", SignedBytes([.. "{\"deviceId\":\"lamp-1\",\"payload\":\""u8, 0xC3, 0x28, .. "\"}"u8]));
        yield return ("BOM and garbage", SignedBytes([0xEF, 0xBB, 0xBF, 0xFF, 0xFE]));
        yield return ("unsigned", SignedRequests.Unsigned("POST", "/commands", Command("\"lamp-1\"")));
        yield return ("garbled signature", WithHeader(Signed(Command("\"lamp-1\"")), "x-queueing-signature", "v1=" + new string('g', 64)));
        yield return ("signature of another body", WithHeader(Signed(Command("\"lamp-1\"")), "x-queueing-signature", SignatureOf(Command("\"lamp-2\""))));
        yield return ("huge signature header", WithHeader(Signed(Command("\"lamp-1\"")), "x-queueing-signature", string.Join(',', Enumerable.Repeat("v1=00", 50_000))));
        yield return ("timestamp overflow", WithHeader(Signed(Command("\"lamp-1\"")), "x-queueing-timestamp", "99999999999"));
        yield return ("xml body", Signed("<command device=\"lamp-1\"/>", "application/xml"));
        yield return ("form body", Signed("deviceId=lamp-1&payload=1", "application/x-www-form-urlencoded"));
        yield return ("idempotency key with newline", WithHeader(Signed(Command("\"lamp-1\"")), "idempotency-key", "a\nb"));
        yield return ("idempotency key too long", WithHeader(Signed(Command("\"lamp-1\"")), "idempotency-key", new string('k', 129)));
        yield return ("no request context", NoContext(Signed(Command("\"lamp-1\""))));
        yield return ("traversal path", OnPath(Signed(Command("\"lamp-1\"")), "/commands/../topics/x"));
        yield return ("null headers", NoHeaders(Signed(Command("\"lamp-1\""))));

        foreach (var (field, value) in WrongTypes())
        {
            yield return ($"wrong type {field}={Show(value)}", Signed(Replace(field, value)));
        }

        for (var i = 0; i < randomCases; i++)
        {
            yield return (RandomCase(i));
        }
    }

    private (string, HttpApiRequest) RandomCase(int i)
    {
        switch (_random.Next(5))
        {
            case 0:
                var bytes = new byte[_random.Next(0, 4096)];
                _random.NextBytes(bytes);
                return ($"random bytes #{i}", SignedBytes(bytes));
            case 1:
                return ($"random JSON value #{i}", Signed(RandomJson(_random.Next(1, 6))));
            case 2:
                return ($"random device id #{i}", Signed(Command(JsonSerializer.Serialize(RandomBadDeviceId()))));
            case 3:
                var request = Signed(Command("\"lamp-1\""));
                request.RequestContext!.Http!.Method = new[] { "GET", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "post!" }[_random.Next(7)];
                return ($"random method #{i}", request);
            default:
                return ($"random path #{i}", OnPath(Signed(Command("\"lamp-1\"")), "/" + RandomText(_random.Next(0, 40))));
        }
    }

    /// <summary>A JSON value that is never a valid command (an object gets at least one unknown field).</summary>
    private string RandomJson(int depth)
    {
        if (depth == 0)
        {
            return _random.Next(4) switch { 0 => "null", 1 => "true", 2 => _random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture), _ => JsonSerializer.Serialize(RandomText(8)) };
        }

        return _random.Next(2) == 0
            ? "[" + string.Join(',', Enumerable.Range(0, _random.Next(0, 4)).Select(_ => RandomJson(depth - 1))) + "]"
            : "{\"x" + _random.Next() + "\":" + RandomJson(depth - 1) + "}";
    }

    private string RandomBadDeviceId()
    {
        const string forbidden = "/+#$ .%\u0000\n\t\"\\é";
        var id = RandomText(_random.Next(0, 20));
        return id.Insert(_random.Next(id.Length + 1), forbidden[_random.Next(forbidden.Length)].ToString());
    }

    private string RandomText(int length)
    {
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append((char)_random.Next(0x20, 0x7F));
        }

        return builder.ToString();
    }

    private static IEnumerable<(string Field, string Value)> WrongTypes()
    {
        string[] values = ["null", "true", "1.5", "-1", "\"1\"", "[]", "{}", "1e400", "99999999999999999999"];
        foreach (var value in values)
        {
            // "1" is a valid device id, and null means "absent" (the default) for ttlSeconds and qos.
            if (value is not "\"1\"")
            {
                yield return ("deviceId", value);
            }

            if (value is not "null")
            {
                yield return ("ttlSeconds", value);
                yield return ("qos", value);
            }
        }
    }

    private static string Command(string deviceIdJson, string payload = "{\"lightStatus\":\"on\"}") =>
        "{\"deviceId\":" + deviceIdJson + ",\"payload\":" + payload + "}";

    private static string Replace(string field, string value)
    {
        var fields = new Dictionary<string, string> { ["deviceId"] = "\"lamp-1\"", ["payload"] = "1", [field] = value };
        return "{" + string.Join(',', fields.Select(f => $"\"{f.Key}\":{f.Value}")) + "}";
    }

    private HttpApiRequest Signed(string body, string contentType = "application/json")
    {
        var request = SignedRequests.Post(body, Harness.Secret, now);
        request.Headers!["content-type"] = contentType;
        return request;
    }

    /// <summary>Arbitrary bytes as API Gateway delivers a non-text body: base64, signed over the bytes.</summary>
    private HttpApiRequest SignedBytes(byte[] bytes)
    {
        var request = SignedRequests.Post("", Harness.Secret, now);
        request.Body = Convert.ToBase64String(bytes);
        request.IsBase64Encoded = true;
        request.Headers!["x-queueing-signature"] = CommandSignature.Sign(Harness.Secret, new SignedRequest(now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), "POST", "/commands", null, bytes));
        return request;
    }

    private string SignatureOf(string body) => CommandSignature.Sign(Harness.Secret, now.ToUnixTimeSeconds(), "/commands", null, body);

    private static HttpApiRequest WithHeader(HttpApiRequest request, string name, string value)
    {
        request.Headers![name] = value;
        return request;
    }

    private static HttpApiRequest OnPath(HttpApiRequest request, string path)
    {
        request.RawPath = path;
        request.RequestContext!.Http!.Path = path;
        return request;
    }

    private static HttpApiRequest NoContext(HttpApiRequest request)
    {
        request.RequestContext = null;
        return request;
    }

    private static HttpApiRequest NoHeaders(HttpApiRequest request)
    {
        request.Headers = null;
        return request;
    }

    private static string Show(string value) => value.Length > 40 ? value[..20] + $"…({value.Length} chars)" : JsonSerializer.Serialize(value);
}
