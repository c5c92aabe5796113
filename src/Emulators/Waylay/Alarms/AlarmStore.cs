using System.Globalization;
using System.Text.Json.Nodes;

namespace Queueing.Emulators.Waylay.Alarms;

/// <summary>The alarms service's counters at one moment, for the live view and the books.</summary>
/// <param name="Raised">Create calls accepted: every time a rule raised an alarm, a repeat of an open alarm included
/// (Waylay counts those in the alarm's <c>count</c>).</param>
/// <param name="Created">Alarms created: raised while no alarm of that type was open for the resource.</param>
/// <param name="RaisedByResource">Create calls accepted per alarm source (the resource the alarm is about).</param>
/// <param name="Refused">Create calls answered 400 (the request did not describe an alarm).</param>
public sealed record AlarmsSnapshot(long Raised, long Created, IReadOnlyDictionary<string, long> RaisedByResource, long Refused)
{
    public static AlarmsSnapshot Empty { get; } = new(0, 0, new Dictionary<string, long>(StringComparer.Ordinal), 0);
}

/// <summary>
/// The alarms of the tenant, as Waylay's alarm service keeps them (Alarms OpenAPI 1.11.0, <c>CreateAlarm</c> and
/// <c>AlarmEntity</c>): an alarm is created <c>ACTIVE</c> unless the request says otherwise; raising it again while an
/// <c>ACTIVE</c> or <c>ACKNOWLEDGED</c> alarm of the same <c>source.id</c> and <c>type</c> exists creates nothing and
/// increments that alarm's <c>count</c>, with an <c>io.waylay.alarm.EventOccuredAgain</c> audit record (the last
/// 1000 kept). Thread-safe.
/// </summary>
internal sealed class AlarmStore(TimeProvider time)
{
    public const int OccurredAgainRecordsKept = 1000;
    public const string RaisedRecord = "io.waylay.alarm.AlarmRaised";
    public const string OccurredAgainRecord = "io.waylay.alarm.EventOccuredAgain";

    private readonly Lock _gate = new();
    private readonly List<JsonObject> _alarms = [];
    private readonly Dictionary<string, long> _raisedByResource = new(StringComparer.Ordinal);
    private long _raised;
    private long _refused;

    /// <summary>Creates the alarm, or counts it again on the open alarm of the same source and type; returns it as stored.</summary>
    public JsonObject Raise(AlarmRequest request)
    {
        var now = Iso(time.GetUtcNow());
        lock (_gate)
        {
            _raised++;
            _raisedByResource[request.SourceId] = _raisedByResource.GetValueOrDefault(request.SourceId) + 1;
            var open = request.Status is "ACTIVE" or "ACKNOWLEDGED"
                ? _alarms.LastOrDefault(a => (string?)a["source"]!["id"] == request.SourceId
                    && (string?)a["type"] == request.Type
                    && (string?)a["status"] is "ACTIVE" or "ACKNOWLEDGED")
                : null;
            if (open is not null)
            {
                open["count"] = (int)open["count"]! + 1;
                open["lastTriggeredTime"] = now;
                open["lastUpdateTime"] = now;
                var history = open["history"]!.AsArray();
                history.Add(Record(OccurredAgainRecord, "Alarm occurred again", now));
                while (history.Count(h => (string?)h!["type"] == OccurredAgainRecord) > OccurredAgainRecordsKept)
                {
                    history.Remove(history.First(h => (string?)h!["type"] == OccurredAgainRecord));
                }

                return (JsonObject)open.DeepClone();
            }

            var id = Guid.NewGuid().ToString();
            var alarm = new JsonObject
            {
                ["id"] = id,
                ["self"] = $"/alarms/v1/alarms/{id}",
                ["creationTime"] = now,
                ["lastUpdateTime"] = now,
                ["lastTriggeredTime"] = now,
                ["type"] = request.Type,
                ["text"] = request.Text,
                ["timestamp"] = request.Timestamp is { } at ? Iso(at) : now,
                ["source"] = new JsonObject { ["id"] = request.SourceId },
                ["severity"] = request.Severity,
                ["status"] = request.Status,
                ["count"] = 1,
                ["history"] = new JsonArray(Record(RaisedRecord, "Alarm raised", now)),
                ["additionalProperties"] = request.AdditionalProperties.DeepClone(),
            };
            if (request.Assignee is { } assignee)
            {
                alarm["assignee"] = assignee;
            }

            _alarms.Add(alarm);
            return (JsonObject)alarm.DeepClone();
        }
    }

    public void Refused()
    {
        lock (_gate)
        {
            _refused++;
        }
    }

    public JsonObject? Find(string id)
    {
        lock (_gate)
        {
            return _alarms.FirstOrDefault(a => (string?)a["id"] == id)?.DeepClone() as JsonObject;
        }
    }

    /// <summary>The alarms <paramref name="matches"/> keeps, newest <c>timestamp</c> first (the API's default order).</summary>
    public IReadOnlyList<JsonObject> Query(Func<JsonObject, bool> matches)
    {
        lock (_gate)
        {
            return _alarms.Where(matches)
                .OrderByDescending(a => DateTimeOffset.Parse((string)a["timestamp"]!, CultureInfo.InvariantCulture))
                .Select(a => (JsonObject)a.DeepClone())
                .ToList();
        }
    }

    public AlarmsSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new AlarmsSnapshot(_raised, _alarms.Count, new Dictionary<string, long>(_raisedByResource, StringComparer.Ordinal), _refused);
        }
    }

    private static JsonObject Record(string type, string text, string timestamp) => new()
    {
        ["id"] = Guid.NewGuid().ToString(),
        ["type"] = type,
        ["text"] = text,
        ["timestamp"] = timestamp,
    };

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
