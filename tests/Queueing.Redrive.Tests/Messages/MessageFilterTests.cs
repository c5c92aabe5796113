using Amazon.SQS.Model;
using Queueing.Redrive.Messages;

namespace Queueing.Redrive.Tests.Messages;

public sealed class MessageFilterTests
{
    private static readonly DateTimeOffset Sent = new(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);

    private static DeadLetter Letter(string kind = "exhausted", string? device = "lamp-1", string body = "{\"deviceId\":\"lamp-1\"}", string error = "Waylay answered 503") => new()
    {
        Message = new Message { MessageId = "m1", Body = body },
        Kind = kind,
        Error = error,
        Device = device,
        SentTime = Sent,
    };

    [Fact]
    public void Matches_NoCriteria_AcceptsEverything() =>
        Assert.True(MessageFilter.None.Matches(Letter()));

    [Theory]
    [InlineData("exhausted", true)]
    [InlineData("rejected", false)]
    public void Matches_Kind_ComparesTheKind(string kind, bool expected) =>
        Assert.Equal(expected, new MessageFilter(new HashSet<string> { kind }, null, null, null).Matches(Letter()));

    [Theory]
    [InlineData("lamp-1", true)]
    [InlineData("LAMP-1", false)]
    [InlineData("lamp-10", false)]
    public void Matches_Device_IsExact(string device, bool expected) =>
        Assert.Equal(expected, new MessageFilter(new HashSet<string>(), device, null, null).Matches(Letter()));

    [Fact]
    public void Matches_DeviceOnMessageWithoutDevice_Rejects() =>
        Assert.False(new MessageFilter(new HashSet<string>(), "lamp-1", null, null).Matches(Letter(device: null)));

    [Theory]
    [InlineData("2026-11-27T07:59:59Z", true)]
    [InlineData("2026-11-27T08:00:00Z", true)]
    [InlineData("2026-11-27T08:00:01Z", false)]
    public void Matches_Since_IsInclusive(string since, bool expected) =>
        Assert.Equal(expected, new MessageFilter(new HashSet<string>(), null, DateTimeOffset.Parse(since, System.Globalization.CultureInfo.InvariantCulture), null).Matches(Letter()));

    [Theory]
    [InlineData("DEVICEID", true)]
    [InlineData("503", true)]
    [InlineData("timeout", false)]
    public void Matches_Grep_SearchesBodyAndErrorIgnoringCase(string text, bool expected) =>
        Assert.Equal(expected, new MessageFilter(new HashSet<string>(), null, null, text).Matches(Letter()));

    [Fact]
    public void Matches_SeveralCriteria_RequiresAll() =>
        Assert.False(new MessageFilter(new HashSet<string> { "exhausted" }, "lamp-2", null, null).Matches(Letter()));
}
