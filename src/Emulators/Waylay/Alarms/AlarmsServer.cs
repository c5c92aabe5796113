using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;
using Queueing.Emulators.Hosting;
using Queueing.Emulators.Waylay.Broker;

namespace Queueing.Emulators.Waylay.Alarms;

/// <summary>How to run the sandbox's alarms service.</summary>
internal sealed record AlarmsOptions
{
    public required string ApiKey { get; init; }

    public required string ApiSecret { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public ILoggerFactory Loggers { get; init; } = NullLoggerFactory.Instance;
}

/// <summary>
/// The part of Waylay's alarm service (Alarms OpenAPI 1.11.0) that rules use, on a <see cref="LoopbackHttpHost"/>
/// of its own (the alarm service has its own base URL in Waylay's client, <c>waylay_alarms</c>):
/// <c>POST /alarms/v1/alarms</c> (create, or count again an open alarm of the same source and type),
/// <c>GET /alarms/v1/alarms</c> (query by <c>type</c>, <c>status</c>, <c>severity</c>, <c>source</c>, with
/// <c>page</c> and <c>size</c>; <c>X-Count</c>), <c>GET /alarms/v1/alarms/{alarmId}</c> and <c>GET /alarms/v1</c>,
/// with HTTP Basic auth. Errors are the spec's <c>ErrorResponse</c> (<c>{"statusCode", "error"}</c>, with
/// <c>details</c> for a refused create). Updates, deletes, batches and event streams are not emulated (404).
/// </summary>
internal sealed partial class AlarmsServer : IAsyncDisposable
{
    public const string Version = "1.11.0";
    private const string Prefix = "/alarms/v1";
    private static readonly HashSet<string> QueryParameters = ["type", "status", "severity", "source", "page", "size"];

    private readonly BasicCredentials _credentials;
    private readonly ILogger _logger;
    private LoopbackHttpHost? _host;

    private AlarmsServer(AlarmsOptions options)
    {
        _credentials = new BasicCredentials(options.ApiKey, options.ApiSecret);
        _logger = options.Loggers.CreateLogger(typeof(AlarmsServer).Namespace!);
        Store = new AlarmStore(options.Time);
    }

    /// <summary><c>http://127.0.0.1:port/</c>: the alarm service's base URL.</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    public AlarmStore Store { get; }

    public static async Task<AlarmsServer> StartAsync(AlarmsOptions options, CancellationToken cancellationToken = default)
    {
        var server = new AlarmsServer(options);
        server._host = await LoopbackHttpHost.StartAsync(server.HandleAsync, new LoopbackHttpHostOptions(), cancellationToken);
        server.BaseAddress = server._host.BaseAddress;
        return server;
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
        if (_credentials.Check(context.Request.Headers.Authorization) is { } authProblem)
        {
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"waylay\"";
            await WriteErrorAsync(context, StatusCodes.Status401Unauthorized, authProblem);
            return;
        }

        var path = context.Request.Path.Value ?? "";
        var method = context.Request.Method;
        var segments = path.StartsWith(Prefix, StringComparison.Ordinal)
            ? path[Prefix.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries)
            : null;
        switch (segments)
        {
            case [] when HttpMethods.IsGet(method):
                await context.WriteJsonAsync(200, new JsonObject { ["name"] = "alarm-service", ["version"] = Version });
                break;
            case ["alarms"] when HttpMethods.IsPost(method):
                await CreateAsync(context);
                break;
            case ["alarms"] when HttpMethods.IsGet(method):
                await QueryAsync(context);
                break;
            case ["alarms", var id] when HttpMethods.IsGet(method):
                await (Store.Find(id) is { } alarm
                    ? context.WriteJsonAsync(200, alarm)
                    : WriteErrorAsync(context, 404, $"alarm with id '{id}' not found"));
                break;
            default:
                await WriteErrorAsync(context, 404,
                    $"Not found: {method} {path} is not part of the alarm API the sandbox emulates (create, query and get under {Prefix}/alarms).");
                break;
        }
    }

    private async Task CreateAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var (request, problems) = AlarmRequest.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        if (request is null)
        {
            Store.Refused();
            LogRefused(string.Join("; ", problems));
            await context.WriteJsonAsync(400, new JsonObject
            {
                ["statusCode"] = 400,
                ["error"] = "The alarm could not be created: the request is not a valid CreateAlarm.",
                ["details"] = new JsonArray(problems.Select(p => (JsonNode?)p).ToArray()),
            });
            return;
        }

        var alarm = Store.Raise(request);
        LogRaised(request.Type, request.SourceId, request.Severity, (int)alarm["count"]!);
        await context.WriteJsonAsync(200, alarm);
    }

    private Task QueryAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var unknown = query.Keys.Where(k => !QueryParameters.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            return WriteErrorAsync(context, 400,
                $"The sandbox does not emulate the query parameter(s) {string.Join(", ", unknown)}; it filters on {string.Join(", ", QueryParameters)}.");
        }

        if (!PositiveInteger(query, "page", 1, out var page) || !PositiveInteger(query, "size", 50, out var size))
        {
            return WriteErrorAsync(context, 400, "page and size must be positive integers.");
        }

        bool In(StringValues wanted, string? value) => wanted.Count == 0 || wanted.Contains(value);
        var found = Store.Query(a => In(query["type"], (string?)a["type"])
            && In(query["status"], (string?)a["status"])
            && In(query["severity"], (string?)a["severity"])
            && In(query["source"], (string?)a["source"]!["id"]));
        context.Response.Headers["X-Count"] = found.Count.ToString(CultureInfo.InvariantCulture);
        var pageItems = found.Skip((page - 1) * size).Take(size);
        var result = new JsonObject
        {
            ["self"] = $"{Prefix}/alarms{context.Request.QueryString}",
            ["alarms"] = new JsonArray(pageItems.Select(a => (JsonNode?)a).ToArray()),
            ["total"] = found.Count,
        };
        return context.WriteJsonAsync(200, result);
    }

    private static bool PositiveInteger(IQueryCollection query, string name, int fallback, out int value)
    {
        value = fallback;
        return !query.TryGetValue(name, out var text)
            || (text.Count == 1 && int.TryParse(text[0], NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0);
    }

    private static Task WriteErrorAsync(HttpContext context, int status, string error) =>
        context.WriteJsonAsync(status, new JsonObject { ["statusCode"] = status, ["error"] = error });

    [LoggerMessage(Level = LogLevel.Information, Message = "Waylay sandbox: alarm {Type} raised for {Source} ({Severity}, count {Count})")]
    private partial void LogRaised(string type, string source, string severity, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waylay sandbox: alarm create refused: {Problems}")]
    private partial void LogRefused(string problems);
}
