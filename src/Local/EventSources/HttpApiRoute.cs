using Queueing.Emulators.Lambda;
using Queueing.Emulators.Template;

namespace Queueing.Local.EventSources;

/// <summary>One route of an HTTP API: the template's <c>HttpApi</c> event and the function it invokes.</summary>
internal sealed record HttpApiRoute(
    string FunctionLogicalId,
    HttpApiEventSource Source,
    Func<ReadOnlyMemory<byte>, CancellationToken, Task<InvocationResult>> Invoke)
{
    /// <summary>HTTP API's default (and maximum) integration timeout: 30 seconds.</summary>
    public const int DefaultTimeoutInMillis = 30_000;

    /// <summary>The route key as API Gateway writes it: <c>POST /commands</c>, <c>ANY /{proxy+}</c> or <c>$default</c>.</summary>
    public string RouteKey => Source.IsDefaultRoute
        ? HttpApiEventSource.DefaultRoute
        : $"{Source.Method.ToUpperInvariant()} {Source.Path}";

    public TimeSpan IntegrationTimeout => TimeSpan.FromMilliseconds(Source.TimeoutInMillis ?? DefaultTimeoutInMillis);
}
