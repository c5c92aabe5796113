namespace Queueing.Emulators.Waylay.Broker;

/// <summary>
/// The broker's <c>forward</c> rule, as the spec states it. <c>POST /events</c>: a single event is forwarded to
/// the rule engine unless <c>forward=false</c>; an array is forwarded unless <c>forward=false</c> only when its
/// events are for distinct resources; with several events for one resource it is stored only, and asking for
/// <c>forward=true</c> explicitly is an error. <c>POST /events/{resourceId}</c>: a single event is forwarded
/// unless <c>forward=false</c>; several events are never forwarded (the parameter is ignored).
/// </summary>
internal static class ForwardingRule
{
    /// <param name="forward">The query parameter: null when absent.</param>
    /// <param name="perResourcePath">True for <c>/events/{resourceId}</c>.</param>
    public static bool ShouldForward(PostedEvents posted, bool? forward, bool perResourcePath)
    {
        if (forward == false)
        {
            return false;
        }

        if (posted.Events.Count == 1)
        {
            return true;
        }

        if (perResourcePath)
        {
            return false;
        }

        var duplicate = posted.Events.GroupBy(e => e.Resource, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is null)
        {
            return true;
        }

        return forward == true
            ? throw BrokerRequestException.BadRequest(
                $"Cannot forward multiple events for the same resource ('{duplicate.Key}' appears {duplicate.Count()} times): " +
                "post one event per resource per request, or leave 'forward' unset to store them without forwarding.")
            : false;
    }
}
