using System.Text.RegularExpressions;

namespace Queueing.Emulators.IoT.Broker;

/// <summary>
/// The local form of the template's device policy, built on <c>${iot:Connection.Thing.ThingName}</c>: a device
/// connects with its thing name as client id, may publish only to <see cref="PublishTopics"/> and subscribe only
/// to <see cref="SubscribeFilters"/>, where <c>{thingName}</c> stands for its own client id. Like an AWS IoT
/// policy resource, a filter is compared as written: a device subscribing to <c>things/+/in</c> is refused
/// even though its own topic matches it. A publish topic may use the policy wildcards <c>*</c> (any characters,
/// <c>/</c> included) and <c>?</c> (one character), as an AWS IoT policy resource does. <see cref="PrivilegedClientIds"/>
/// skip the policy (local tools and tests, playing an IAM principal allowed <c>iot:*</c>).
/// </summary>
public sealed partial record DevicePolicy(IReadOnlyList<string> PublishTopics, IReadOnlyList<string> SubscribeFilters)
{
    public const string ThingNamePlaceholder = "{thingName}";

    public IReadOnlySet<string> PrivilegedClientIds { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Why this client may not connect, or null.</summary>
    public string? ProblemWithConnect(string clientId)
    {
        if (PrivilegedClientIds.Contains(clientId))
        {
            return null;
        }

        // AWS thing names: 1-128 of [a-zA-Z0-9:_-].
        return ThingName().IsMatch(clientId)
            ? null
            : $"Client id '{clientId}' is not a thing name ([a-zA-Z0-9:_-], 1 to 128 characters); the device policy needs the client id to be the thing name.";
    }

    public bool AllowsPublish(string clientId, string topic) =>
        PrivilegedClientIds.Contains(clientId) || PublishTopics.Any(t => WildcardMatch(Resolve(t, clientId), topic));

    public bool AllowsSubscribe(string clientId, string filter) =>
        PrivilegedClientIds.Contains(clientId) || SubscribeFilters.Any(f => Resolve(f, clientId) == filter);

    /// <summary>IAM-style matching: <c>*</c> any run of characters, <c>?</c> exactly one, everything else literally (MQTT's
    /// <c>+</c> and <c>#</c> included, as AWS IoT policies treat them).</summary>
    internal static bool WildcardMatch(string pattern, string value)
    {
        int p = 0, v = 0, star = -1, resume = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = v;
            }
            else if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == value[v]))
            {
                p++;
                v++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                v = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    private static string Resolve(string pattern, string clientId) =>
        pattern.Replace(ThingNamePlaceholder, clientId, StringComparison.Ordinal);

    [GeneratedRegex("^[a-zA-Z0-9:_-]{1,128}$")]
    private static partial Regex ThingName();
}
