using System.Text.Json;
using Queueing.Ingest.Tests.Rounds;
using Queueing.Ingest.Waylay;

namespace Queueing.Ingest.Tests.Waylay;

public sealed class WaylayRequestBodyTests
{
    [Fact]
    public void Write_Events_IsAJsonArrayOfResourceEvents()
    {
        var readings = RoundPlannerTests.Readings(("lamp-1", 1764288000000), ("lamp-2", 1764288000001));

        var body = JsonDocument.Parse(WaylayRequestBody.Write(readings)).RootElement;

        Assert.Equal(JsonValueKind.Array, body.ValueKind);
        Assert.Equal(["lamp-1", "lamp-2"], body.EnumerateArray().Select(e => e.GetProperty("resource").GetString()));
        Assert.Equal([1764288000000, 1764288000001], body.EnumerateArray().Select(e => e.GetProperty("timestamp").GetInt64()));
        Assert.Equal([0, 1], body.EnumerateArray().Select(e => e.GetProperty("seq").GetInt32()));
    }

    [Fact]
    public void Write_LengthIsExactlyPredicted()
    {
        var readings = RoundPlannerTests.Readings(("a", 0), ("bb", 9), ("ccc", 1764288000000));

        var body = WaylayRequestBody.Write(readings);

        Assert.Equal(2 + 2 + readings.Sum(r => r.EncodedLength), body.Length);
        Assert.Equal((byte)']', body[^1]);
    }
}
