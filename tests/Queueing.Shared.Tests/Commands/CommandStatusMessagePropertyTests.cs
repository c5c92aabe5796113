using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Queueing.Contracts.Commands;

namespace Queueing.Shared.Tests.Commands;

/// <summary>
/// The status-message contract between the command publisher (writer) and Ingest (reader), and the device's
/// acknowledgement: what is written reads back identically, and a mutated body is refused with a reason naming the
/// mutation.
/// </summary>
public sealed class CommandStatusMessagePropertyTests
{
    private const string ThingAlphabet = "abcxyzABCXYZ0189:_-";
    private const string IdAlphabet = "abcdef0123456789-!~{}\"\\/:ABZ";

    // Text a detail may hold: JSON escapes, non-ASCII, a surrogate pair kept whole.
    private static readonly Gen<string> DetailText =
        Gen.OneOf("a", " ", "\"", "\\", "\n", "\t", "é", "✓", "日", "🚀", "<", "&", "403 Forbidden", "IoT Data Publish answered")
            .List[0, 40].Select(pieces => string.Concat(pieces));

    private static readonly Gen<string> DeviceId = Gen.Char[ThingAlphabet].Array[1, 128].Select(c => new string(c));
    private static readonly Gen<string> CommandId = Gen.Char[IdAlphabet].Array[1, 128].Select(c => new string(c));

    // Whole milliseconds from 1970 to 9999: what the ISO format carries.
    private static readonly Gen<DateTimeOffset> Time =
        Gen.Long[0, 253_402_300_799_999].Select(DateTimeOffset.FromUnixTimeMilliseconds);

    private static readonly Gen<CommandStatusMessage> Message =
        Gen.Select(Gen.OneOf([.. CommandStatusKinds.SentByPublisher]), DeviceId, CommandId, Time, Time, DetailText.Null(),
            (kind, device, command, acceptedAt, at, detail) => new CommandStatusMessage(kind, device, command, acceptedAt, at, detail));

    private static readonly Gen<CommandAck> Ack =
        Gen.Select(CommandId, Gen.Enum<CommandAckStatus>(), DetailText.Where(d => d.Length <= CommandAck.MaxDetailLength).Null(), DetailText.Null(),
            (command, status, detail, acceptedAt) => new CommandAck(command, status, detail, acceptedAt));

    [Fact]
    public void StatusMessage_WhatTheWriterWrites_TheReaderReadsBackIdentically()
    {
        Message.Sample(message =>
        {
            Assert.True(CommandStatusMessage.TryRead(message.ToUtf8(), out var read, out var error), error);
            Assert.Equal(message, read);
        }, iter: 2000);
    }

    [Fact]
    public void StatusMessage_LongDetail_IsCutToTheLimitAndStillReads()
    {
        var message = new CommandStatusMessage(CommandStatusKind.Rejected, "lamp-1", "c-1", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, new string('x', 5000));

        Assert.True(CommandStatusMessage.TryRead(message.ToUtf8(), out var read, out var error), error);
        Assert.Equal(CommandStatusMessage.MaxDetailLength, read.Detail!.Length);
        Assert.EndsWith("…", read.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CommandStatusKind.Acknowledged)]
    [InlineData(CommandStatusKind.Failed)]
    public void StatusMessage_KindOfADevicesAcknowledgement_IsNeverWritten(CommandStatusKind kind)
    {
        var message = new CommandStatusMessage(kind, "lamp-1", "c-1", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

        var refusal = Assert.Throws<InvalidOperationException>(() => message.ToUtf8());
        Assert.Contains(kind.ToWire(), refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Kinds_EveryStatusWaylaySees_HasItsOwnWireName()
    {
        Assert.Equal(
            ["published", "acknowledged", "failed", "expired", "rejected", "undelivered", "ackDue"],
            Enum.GetValues<CommandStatusKind>().Select(k => k.ToWire()));
        Assert.Equal(["published", "ackDue", "expired", "rejected", "undelivered"], CommandStatusKinds.SentByPublisher.Select(k => k.ToWire()));
    }

    /// <summary>A mutation of a valid body, and a piece of the reason the reader must give for it.</summary>
    private sealed record Mutation(string Name, Action<JsonObject> Apply, string Reason);

    private static readonly Mutation[] StatusMutations =
    [
        new("no commandEvent", o => o.Remove("commandEvent"), "commandEvent is missing"),
        new("unknown commandEvent", o => o["commandEvent"] = "delivered", "commandEvent 'delivered' is not one Ingest knows"),
        new("ack is no status", o => o["commandEvent"] = "ack", "commandEvent 'ack' is not one Ingest knows"),
        new("a device's status is no publisher's", o => o["commandEvent"] = "acknowledged", "commandEvent 'acknowledged' is not one Ingest knows"),
        new("numeric commandEvent", o => o["commandEvent"] = 1, "commandEvent must be a string, got a JSON number"),
        new("no deviceId", o => o.Remove("deviceId"), "deviceId is missing"),
        new("deviceId with a slash", o => o["deviceId"] = "lamp/1", "deviceId 'lamp/1' is not a thing name"),
        new("no commandId", o => o.Remove("commandId"), "commandId is missing"),
        new("empty commandId", o => o["commandId"] = "", "commandId '' is not a command id"),
        new("commandId with a space", o => o["commandId"] = "a b", "commandId 'a b' is not a command id"),
        new("no acceptedAt", o => o.Remove("acceptedAt"), "acceptedAt is missing"),
        new("acceptedAt no time", o => o["acceptedAt"] = "yesterday", "acceptedAt 'yesterday' is not an ISO 8601 time"),
        new("at a number", o => o["at"] = 1764288000000, "at must be a string, got a JSON number"),
        new("no at", o => o.Remove("at"), "at is missing"),
        new("detail null", o => o["detail"] = null, "detail must be a string, got a JSON null"),
        new("detail too long", o => o["detail"] = new string('x', CommandStatusMessage.MaxDetailLength + 1), "detail is 1025 characters, over 1024"),
        new("unknown member", o => o["lightValue"] = 412, "unknown member 'lightValue'"),
    ];

    [Fact]
    public void StatusMessage_MutatedBodies_AreRefusedWithTheReason()
    {
        Gen.Select(Message, Gen.Int[0, StatusMutations.Length - 1]).Sample((message, m) =>
        {
            var mutation = StatusMutations[m];
            var json = JsonNode.Parse(message.ToUtf8())!.AsObject();
            mutation.Apply(json);

            Assert.False(CommandStatusMessage.TryRead(Encoding.UTF8.GetBytes(json.ToJsonString()), out _, out var error), mutation.Name);
            Assert.Contains(mutation.Reason, error, StringComparison.Ordinal);
        }, iter: 1000);
    }

    [Theory]
    [InlineData("", "the status message is not valid JSON")]
    [InlineData("[1]", "the status message is a JSON array; expected an object")]
    [InlineData("{\"commandEvent\":\"published\"", "the status message is not valid JSON")]
    [InlineData("{\"commandEvent\":\"published\",\"commandEvent\":\"expired\"}", "has a member twice")]
    [InlineData("{\"commandEvent\":\"published\"} {}", "the status message is not valid JSON")]
    public void StatusMessage_NotOneObject_IsRefusedWithTheReason(string body, string reason)
    {
        Assert.False(CommandStatusMessage.TryRead(Encoding.UTF8.GetBytes(body), out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Ack_WhatTheWriterWrites_TheReaderReadsBackIdentically()
    {
        Ack.Sample(ack =>
        {
            Assert.True(CommandAck.TryRead(ack.ToUtf8(), out var read, out var error), error);
            Assert.Equal(ack, read);
        }, iter: 2000);
    }

    private static readonly Mutation[] AckMutations =
    [
        new("no commandId", o => o.Remove("commandId"), "commandId is missing"),
        new("numeric commandId", o => o["commandId"] = 7, "commandId must be a string, got a JSON number"),
        new("commandId too long", o => o["commandId"] = new string('a', 129), "is not a command id"),
        new("no status", o => o.Remove("status"), "status is missing"),
        new("status ok", o => o["status"] = "ok", "status 'ok' is neither done nor failed"),
        new("status Done", o => o["status"] = "Done", "status 'Done' is neither done nor failed"),
        new("detail too long", o => o["detail"] = new string('x', 257), "detail is 257 characters, over 256"),
        new("detail a number", o => o["detail"] = 3, "detail must be a string, got a JSON number"),
        new("acceptedAt a number", o => o["acceptedAt"] = 3, "acceptedAt must be a string, got a JSON number"),
        new("deviceId claimed", o => o["deviceId"] = "lamp-2", "unknown member 'deviceId'"),
        new("lightValue", o => o["lightValue"] = 999, "unknown member 'lightValue'"),
    ];

    [Fact]
    public void Ack_MutatedBodies_AreRefusedWithTheReason()
    {
        Gen.Select(Ack, Gen.Int[0, AckMutations.Length - 1]).Sample((ack, m) =>
        {
            var mutation = AckMutations[m];
            var json = JsonNode.Parse(ack.ToUtf8())!.AsObject();
            mutation.Apply(json);

            Assert.False(CommandAck.TryRead(Encoding.UTF8.GetBytes(json.ToJsonString()), out _, out var error), mutation.Name);
            Assert.Contains(mutation.Reason, error, StringComparison.Ordinal);
        }, iter: 1000);
    }

    [Theory]
    [InlineData("done")]
    [InlineData("\"done\"")]
    [InlineData("{\"commandId\":\"c\",\"status\":\"done\",\"status\":\"failed\"}")]
    [InlineData("\u00ff\u00fe")]
    public void Ack_NotOneObject_IsRefused(string payload)
    {
        Assert.False(CommandAck.TryRead(Encoding.Latin1.GetBytes(payload), out _, out var error));
        Assert.StartsWith("the acknowledgement ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Ack_UnparseableAcceptedAt_IsKeptAsTextWithoutATime()
    {
        Assert.True(CommandAck.TryRead("""{"commandId":"c-1","status":"failed","acceptedAt":"soon"}"""u8.ToArray(), out var ack, out var error), error);
        Assert.Equal(CommandAckStatus.Failed, ack.Status);
        Assert.False(ack.TryGetAcceptedAt(out _));
    }
}
