using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Queueing.Emulators.Hosting;
using Queueing.Emulators.Waylay.Faults;

namespace Queueing.Emulators.Waylay.Broker;

/// <summary>
/// The Waylay Broker API for posting and reading data (on a <see cref="LoopbackHttpHost"/>): <c>POST /data/v1/events</c>,
/// <c>POST /data/v1/events/{resourceId}</c>, <c>GET|DELETE /data/v1/messages/{resourceId}</c>,
/// <c>GET /data/v1/messages/{resourceId}/current</c> and <c>GET /data/v1/</c>, with HTTP Basic auth, the
/// forwarding rule, the message cache and injected faults. Errors are <c>{"error": "..."}</c> as the spec's
/// ErrorResponse.
/// </summary>
internal sealed partial class BrokerServer : IAsyncDisposable
{
    public const string Version = "2.18.0";
    private const string Prefix = "/data/v1";

    private readonly BrokerOptions _options;
    private readonly BasicCredentials _credentials;
    private readonly FaultInjector _faults;
    private readonly IRuleEngineInbox? _inbox;
    private readonly ILogger _logger;

    private LoopbackHttpHost? _host;

    private BrokerServer(BrokerOptions options, IRuleEngineInbox? inbox)
    {
        _options = options;
        _inbox = inbox;
        _credentials = new BasicCredentials(options.ApiKey, options.ApiSecret);
        _faults = new FaultInjector(options.Faults);
        _logger = options.Loggers.CreateLogger(typeof(BrokerServer).Namespace!);
        Messages = new MessageCache(options.MessagesPerResource, options.Time);
        Counters = new BrokerCounters(options.TalliedFields);
    }

    /// <summary>The base URL clients post data to (no trailing path).</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    public BrokerCounters Counters { get; }

    public MessageCache Messages { get; }

    /// <param name="inbox">The rule engine; null runs the broker without one (events are still counted as forwarded).</param>
    public static async Task<BrokerServer> StartAsync(BrokerOptions options, IRuleEngineInbox? inbox, CancellationToken cancellationToken = default)
    {
        var server = new BrokerServer(options, inbox);
        server._host = await LoopbackHttpHost.StartAsync(server.HandleAsync, new LoopbackHttpHostOptions { Port = options.Port }, cancellationToken);
        server.BaseAddress = server._host.BaseAddress;
        return server;
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_host is { } host)
        {
            await host.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is { } host)
        {
            _host = null;
            await host.DisposeAsync();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        Counters.Request();
        var aborted = context.RequestAborted;
        if (_options.Faults.IsActive)
        {
            var decision = _faults.Next();
            if (decision.Delay > TimeSpan.Zero)
            {
                await Task.Delay(decision.Delay, _options.Time, aborted);
            }

            if (decision.Kind != FaultKind.None)
            {
                await AnswerFaultAsync(context, decision.Kind);
                return;
            }
        }

        if (_credentials.Check(context.Request.Headers.Authorization) is { } authProblem)
        {
            Counters.Unauthorized();
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"waylay\"";
            await WriteErrorAsync(context, StatusCodes.Status401Unauthorized, authProblem);
            return;
        }

        try
        {
            await RouteAsync(context);
        }
        catch (BrokerRequestException ex)
        {
            Counters.Refused();
            LogRefused(context.Request.Method, context.Request.Path, ex.StatusCode, ex.Message);
            await WriteErrorAsync(context, ex.StatusCode, ex.Message);
        }
    }

    private Task RouteAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (!path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new BrokerRequestException(404, $"Not found: the sandbox serves the Waylay Broker API under {Prefix}/.");
        }

        var segments = path[Prefix.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries);
        var method = context.Request.Method;
        return segments switch
        {
            [] => Only(method, HttpMethods.Get, () => AboutAsync(context)),
            ["events"] => Only(method, HttpMethods.Post, () => PostEventsAsync(context, pathResource: null)),
            ["events", var resource] => Only(method, HttpMethods.Post, () => PostEventsAsync(context, resource)),
            ["messages", var resource] when HttpMethods.IsDelete(method) => DeleteMessagesAsync(context, resource),
            ["messages", var resource] => Only(method, HttpMethods.Get, () => MessagesAsync(context, resource)),
            ["messages", var resource, "current"] => Only(method, HttpMethods.Get, () => CurrentAsync(context, resource)),
            _ => throw new BrokerRequestException(404,
                $"Not found: {path} is not part of the Broker API the sandbox emulates (events, messages and the version)."),
        };
    }

    private static Task Only(string method, string allowed, Func<Task> handle) =>
        method.Equals(allowed, StringComparison.OrdinalIgnoreCase)
            ? handle()
            : throw new BrokerRequestException(405, $"Method {method} is not allowed here; use {allowed}.");

    private Task AboutAsync(HttpContext context) =>
        context.WriteJsonAsync(200, new JsonObject
        {
            ["name"] = "waylay-broker",
            ["version"] = Version,
            ["message"] = "Waylay sandbox",
        });

    private async Task PostEventsAsync(HttpContext context, string? pathResource)
    {
        var query = context.Request.Query;
        var forward = ReadBoolean(query, "forward");
        var store = ReadBoolean(query, "store") ?? true;
        var ttl = ReadTtl(query);

        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var now = _options.Time.GetUtcNow();
        var posted = EventReader.Read(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), pathResource, now);
        var forwarded = ForwardingRule.ShouldForward(posted, forward, perResourcePath: pathResource is not null);

        // Validation is complete: from here the request is accepted whole.
        foreach (var message in posted.Events)
        {
            if (store)
            {
                Messages.Store(message, ttl);
            }

            if (forwarded)
            {
                _inbox?.Forward(message);
            }
        }

        Counters.Accepted(posted.Events, store, forwarded, now);
        var count = posted.Events.Count;
        var what = (store, forwarded) switch
        {
            (true, true) => "stored and forwarded to the rule engine",
            (true, false) => "stored, not forwarded to the rule engine",
            (false, true) => "forwarded to the rule engine, not stored",
            (false, false) => "neither stored nor forwarded",
        };
        JsonNode content = posted.IsArray
            ? new JsonArray(posted.Events.Select(e => (JsonNode?)JsonNode.Parse(e.ToJsonString())).ToArray())
            : JsonNode.Parse(posted.Events[0].ToJsonString())!;
        await context.WriteJsonAsync(200, new JsonObject
        {
            ["message"] = count == 1 ? $"1 event {what}" : $"{count} events {what}",
            ["content"] = content,
        });
    }

    private Task MessagesAsync(HttpContext context, string resource) =>
        context.WriteJsonAsync(200, new JsonArray(Messages.Messages(resource).Select(m => JsonNode.Parse(m.ToJsonString())).ToArray()));

    private Task CurrentAsync(HttpContext context, string resource) =>
        Messages.Current(resource) is { } current
            ? context.WriteJsonAsync(200, JsonNode.Parse(current.ToJsonString())!)
            : throw new BrokerRequestException(404, $"No message received yet for resource '{resource}'.");

    private Task DeleteMessagesAsync(HttpContext context, string resource)
    {
        var removed = Messages.Remove(resource);
        return context.WriteJsonAsync(200, new JsonObject
        {
            ["message"] = $"Removed {removed} message(s) of resource '{resource}'.",
        });
    }

    private static bool? ReadBoolean(IQueryCollection query, string name)
    {
        if (!query.TryGetValue(name, out var values))
        {
            return null;
        }

        return values.Count == 1 && bool.TryParse(values[0], out var value)
            ? value
            : throw BrokerRequestException.BadRequest($"The '{name}' query parameter must be true or false (got '{values}').");
    }

    private static TimeSpan? ReadTtl(IQueryCollection query)
    {
        if (!query.TryGetValue("ttl", out var values))
        {
            return null;
        }

        return values.Count == 1 && values[0] is { } text && TtlDuration.TryParse(text, out var ttl)
            ? ttl
            : throw BrokerRequestException.BadRequest(
                $"The 'ttl' query parameter must be whole seconds, a number with a unit (w, d, h, m, s) or an ISO 8601 duration (got '{values}').");
    }

    private async Task AnswerFaultAsync(HttpContext context, FaultKind kind)
    {
        switch (kind)
        {
            case FaultKind.Throttled:
                Counters.ThrottleInjected();
                context.Response.Headers.RetryAfter = ((int)Math.Ceiling(_options.Faults.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await WriteErrorAsync(context, StatusCodes.Status429TooManyRequests, "Too many requests (injected by the Waylay sandbox).");
                break;
            case FaultKind.ServiceUnavailable:
                Counters.ServerErrorInjected();
                await WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "Service unavailable (injected by the Waylay sandbox).");
                break;
            default:
                Counters.ServerErrorInjected();
                await WriteErrorAsync(context, StatusCodes.Status500InternalServerError, "Internal server error (injected by the Waylay sandbox).");
                break;
        }
    }

    private static Task WriteErrorAsync(HttpContext context, int status, string error) =>
        context.WriteJsonAsync(status, new JsonObject { ["error"] = error });

    [LoggerMessage(Level = LogLevel.Debug, Message = "Waylay broker refused {Method} {Path}: {Status} {Error}")]
    private partial void LogRefused(string method, string path, int status, string error);
}
