using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using Queueing.Actuate.Commands;
using Queueing.Contracts.Time;

namespace Queueing.Actuate.Publisher;

/// <summary>
/// IoT Data Publish (<c>POST /topics/{topic}?qos=N</c>) over a plain <see cref="HttpClient"/> signed by AWSSDK.Core's
/// <see cref="SigV4SigningHandler"/> for service <c>iotdata</c> (there is no AWSSDK.IotData package here). The
/// MQTT payload is the command's payload as sent; the command id and acceptance time ride along as MQTT 5 user properties.
/// </summary>
internal sealed class IotDataPublisher : IDisposable
{
    public const string SigningService = "iotdata";

    /// <summary>The HTTP header AWS services read an X-Ray trace from.</summary>
    public const string TraceHeaderName = "X-Amzn-Trace-Id";

    // IoT Core's ceiling for messageExpiry (the broker keeps a message for a persistent session at most 7 days).
    private const long MaxMessageExpirySeconds = 7 * 24 * 3600;
    private const int MaxReasonBodyChars = 300;

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;

    /// <param name="transport">The innermost handler; null for a pooled <see cref="SocketsHttpHandler"/>.</param>
    public IotDataPublisher(Uri endpoint, AWSCredentials credentials, RegionEndpoint region, TimeSpan timeout, TimeProvider time, HttpMessageHandler? transport = null)
    {
        // No automatic redirects: a followed redirect would be replayed below the signer, unsigned for its new target.
        var signer = new SigV4SigningHandler(credentials, region, SigningService, transport ?? new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        });
        _http = new HttpClient(signer) { Timeout = Timeout.InfiniteTimeSpan };
        _endpoint = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
        _timeout = timeout;
        _time = time;
    }

    /// <summary>
    /// The publish URL. The topic is one escaped path segment (its slashes as %2F), as the AWS SDKs send it;
    /// <c>messageExpiry</c> is the command's remaining lifetime, so IoT Core drops it rather than deliver it late
    /// to an MQTT 5 session that reconnects after the expiry.
    /// </summary>
    public Uri PublishUri(Command command)
    {
        var remaining = (long)Math.Ceiling((command.ExpiresAt - _time.GetUtcNow()).TotalSeconds);
        var expiry = Math.Clamp(remaining, 1, MaxMessageExpirySeconds);
        return new Uri(_endpoint, string.Create(CultureInfo.InvariantCulture, $"topics/{Uri.EscapeDataString(command.Topic)}?qos={command.Qos}&messageExpiry={expiry}"));
    }

    /// <param name="traceHeader">The X-Ray trace the publish belongs to, sent as <c>X-Amzn-Trace-Id</c> (the header
    /// every AWS service reads a trace from, and the AWS SDKs send from inside a traced Lambda function).</param>
    public async Task<PublishOutcome> PublishAsync(Command command, CancellationToken budget, string? traceHeader = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, PublishUri(command))
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(command.PayloadJson)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        // The device echoes both in its acknowledgement (docs/commands.md): acceptedAt lets Waylay time the round trip.
        request.Headers.TryAddWithoutValidation(
            MqttUserProperties.Header,
            MqttUserProperties.Encode([new("commandId", command.CommandId), new("acceptedAt", IsoTime.Format(command.AcceptedAt))]));
        if (!string.IsNullOrEmpty(traceHeader))
        {
            request.Headers.TryAddWithoutValidation(TraceHeaderName, traceHeader);
        }

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(budget);
        attempt.CancelAfter(_timeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, attempt.Token);
            return Classify(response.StatusCode, await response.Content.ReadAsStringAsync(attempt.Token));
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested)
        {
            return PublishOutcome.Transient("The invocation's time budget ran out during IoT Data Publish.");
        }
        catch (OperationCanceledException)
        {
            return PublishOutcome.Transient($"IoT Data Publish did not answer within {_timeout.TotalMilliseconds:0} ms.");
        }
        catch (HttpRequestException ex)
        {
            return PublishOutcome.Transient($"IoT Data Publish could not be reached: {ex.Message}");
        }
        // Resolving the role's credentials failed (e.g. the credential source was briefly unavailable).
        catch (AmazonClientException ex)
        {
            return PublishOutcome.Transient($"No AWS credentials to sign IoT Data Publish: {ex.Message}");
        }
        // Boundary: anything else (a handler, the signer or a credential source failing in a way nobody listed) is this
        // command's failure, retried and in the end parked with this reason. Thrown, it would fail the invocation, and
        // Lambda would retry the whole batch: the commands already published would be published again.
        catch (Exception ex)
        {
            return PublishOutcome.Transient($"IoT Data Publish failed: {ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>
    /// IoT Data Publish answers 200, or an error: 400 InvalidRequest, 401 Unauthorized, 403 (the role may not
    /// publish there), 405 MethodNotAllowed, 413 RequestEntityTooLarge, 429 Throttling, 500 InternalFailure,
    /// 503 ServiceUnavailable. 400/403/413 are properties of this message and final; anything else (including
    /// 401, a signing or clock problem of this instance) is retried until the receive count runs out.
    /// </summary>
    internal static PublishOutcome Classify(HttpStatusCode status, string body)
    {
        var code = (int)status;
        if (code is >= 200 and < 300)
        {
            return PublishOutcome.Published;
        }

        var text = body.Length > MaxReasonBodyChars ? body[..MaxReasonBodyChars] + "…" : body;
        var reason = $"IoT Data Publish answered {code} {status}: {(text.Length == 0 ? "(no body)" : text)}";
        return code is 400 or 403 or 413 ? PublishOutcome.Rejected(reason) : PublishOutcome.Transient(reason);
    }

    public void Dispose() => _http.Dispose();
}
