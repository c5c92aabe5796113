namespace Queueing.Local.EventSources;

/// <summary>The route a request selected, with its URL-decoded path parameters (null when it has none).</summary>
internal sealed record HttpApiRouteMatch(HttpApiRoute Route, IReadOnlyDictionary<string, string>? PathParameters);

/// <summary>
/// HTTP API route selection ("Routing API requests" in the HTTP API developer guide): a full match of path and
/// method first, then routes with a greedy <c>{proxy+}</c> variable, then <c>$default</c>. Among routes that match,
/// the most specific path wins, segment by segment from the left (literal over <c>{variable}</c> over
/// <c>{greedy+}</c>); on the same path a concrete method wins over <c>ANY</c> ("ANY matches all methods that you
/// haven't defined for a resource"). Paths are case-sensitive; a greedy variable needs at least one segment.
/// </summary>
internal sealed class HttpApiRouteTable
{
    private static readonly HashSet<string> Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"];

    private readonly List<CompiledRoute> _routes;
    private readonly HttpApiRoute? _default;

    private HttpApiRouteTable(List<CompiledRoute> routes, HttpApiRoute? defaultRoute)
    {
        _routes = routes;
        _default = defaultRoute;
    }

    /// <summary>The routes, or every problem with them together (an unsupported payload version, a bad path, ...).</summary>
    public static HttpApiRouteTable Create(string apiLogicalId, IEnumerable<HttpApiRoute> routes)
    {
        var problems = new List<string>();
        var compiled = new List<CompiledRoute>();
        HttpApiRoute? defaultRoute = null;
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var route in routes)
        {
            var where = $"Function '{route.FunctionLogicalId}', event '{route.Source.Name}'";
            if (!keys.TryAdd(route.RouteKey, route.FunctionLogicalId))
            {
                problems.Add($"{where}: route '{route.RouteKey}' is already defined by function '{keys[route.RouteKey]}'.");
                continue;
            }

            if (route.Source.ApiLogicalId is { } api && api != apiLogicalId)
            {
                problems.Add($"{where}: the route belongs to API '{api}', not '{apiLogicalId}'.");
            }

            if (route.Source.PayloadFormatVersion != "2.0")
            {
                problems.Add($"{where}: PayloadFormatVersion '{route.Source.PayloadFormatVersion}' is not emulated; the local HTTP API speaks 2.0.");
            }

            if (route.Source.TimeoutInMillis is < 50 or > HttpApiRoute.DefaultTimeoutInMillis)
            {
                problems.Add($"{where}: TimeoutInMillis must be between 50 and 30000, not {route.Source.TimeoutInMillis}.");
            }

            if (route.Source.IsDefaultRoute)
            {
                defaultRoute = route;
                continue;
            }

            var method = route.Source.Method.ToUpperInvariant();
            if (!Methods.Contains(method))
            {
                problems.Add($"{where}: method '{route.Source.Method}' is not one of {string.Join(", ", Methods)}.");
            }

            if (ProblemWithPath(route.Source.Path, out var segments) is { } problem)
            {
                problems.Add($"{where}: path '{route.Source.Path}' {problem}");
                continue;
            }

            compiled.Add(new CompiledRoute(route, method, segments));
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"HTTP API '{apiLogicalId}':{Environment.NewLine}{string.Join(Environment.NewLine, problems)}", nameof(routes));
        }

        return new HttpApiRouteTable(compiled, defaultRoute);
    }

    /// <summary>The route keys, ordered, <c>$default</c> last.</summary>
    public IReadOnlyList<string> RouteKeys
    {
        get
        {
            var keys = _routes.Select(r => r.Route.RouteKey).Order(StringComparer.Ordinal).ToList();
            if (_default is not null)
            {
                keys.Add(_default.RouteKey);
            }

            return keys;
        }
    }

    /// <summary>The selected route, or null (API Gateway answers 404 Not Found).</summary>
    public HttpApiRouteMatch? Match(string method, string rawPath)
    {
        var requestSegments = rawPath.Split('/')[1..];
        if (rawPath == "/")
        {
            requestSegments = [];
        }

        CompiledRoute? best = null;
        Dictionary<string, string>? bestParameters = null;
        foreach (var route in _routes)
        {
            if ((route.Method == method || route.Method == "ANY")
                && route.TryMatch(requestSegments, out var parameters)
                && (best is null || route.CompareSpecificity(best) < 0))
            {
                best = route;
                bestParameters = parameters;
            }
        }

        if (best is not null)
        {
            return new HttpApiRouteMatch(best.Route, bestParameters is { Count: > 0 } ? bestParameters : null);
        }

        return _default is null ? null : new HttpApiRouteMatch(_default, null);
    }

    private static string? ProblemWithPath(string path, out Segment[] segments)
    {
        segments = [];
        if (!path.StartsWith('/'))
        {
            return "must start with '/'.";
        }

        var parts = path == "/" ? [] : path[1..].Split('/');
        segments = new Segment[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part.Length == 0)
            {
                return "has an empty segment.";
            }

            if (part.StartsWith('{') && part.EndsWith('}'))
            {
                var greedy = part.EndsWith("+}", StringComparison.Ordinal);
                var name = part[1..^(greedy ? 2 : 1)];
                if (name.Length == 0 || name.IndexOfAny(['{', '}', '+']) >= 0)
                {
                    return $"has a malformed path variable '{part}'.";
                }

                if (greedy && i != parts.Length - 1)
                {
                    return "has a greedy path variable that is not the last segment.";
                }

                segments[i] = new Segment(greedy ? SegmentKind.Greedy : SegmentKind.Variable, name);
            }
            else if (part.IndexOfAny(['{', '}']) >= 0)
            {
                return $"has a malformed segment '{part}'.";
            }
            else
            {
                segments[i] = new Segment(SegmentKind.Literal, part);
            }
        }

        return null;
    }

    private enum SegmentKind
    {
        Literal,
        Variable,
        Greedy,
    }

    private readonly record struct Segment(SegmentKind Kind, string Text);

    private sealed record CompiledRoute(HttpApiRoute Route, string Method, Segment[] Segments)
    {
        public bool TryMatch(string[] request, out Dictionary<string, string> parameters)
        {
            parameters = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < Segments.Length; i++)
            {
                var segment = Segments[i];
                if (segment.Kind == SegmentKind.Greedy)
                {
                    // {proxy+} takes the rest of the path, at least one non-empty segment.
                    var rest = string.Join('/', request[i..]);
                    if (rest.Length == 0)
                    {
                        return false;
                    }

                    parameters[segment.Text] = Uri.UnescapeDataString(rest);
                    return true;
                }

                if (i >= request.Length || request[i].Length == 0)
                {
                    return false;
                }

                var value = Uri.UnescapeDataString(request[i]);
                if (segment.Kind == SegmentKind.Literal)
                {
                    if (!string.Equals(segment.Text, value, StringComparison.Ordinal))
                    {
                        return false;
                    }
                }
                else
                {
                    parameters[segment.Text] = value;
                }
            }

            return request.Length == Segments.Length;
        }

        /// <summary>Negative when this route is more specific than <paramref name="other"/> (both matched the request).</summary>
        public int CompareSpecificity(CompiledRoute other)
        {
            for (var i = 0; i < Math.Min(Segments.Length, other.Segments.Length); i++)
            {
                var byKind = Segments[i].Kind.CompareTo(other.Segments[i].Kind);
                if (byKind != 0)
                {
                    return byKind;
                }
            }

            return (Method == "ANY").CompareTo(other.Method == "ANY");
        }
    }
}
