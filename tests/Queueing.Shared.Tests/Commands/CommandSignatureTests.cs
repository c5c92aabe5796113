using System.Security.Cryptography;
using System.Text;
using Queueing.Contracts.Commands;

namespace Queueing.Shared.Tests.Commands;

/// <summary>
/// The signing scheme against docs/commands.md, "Signing". Independent on purpose: the expected values are the
/// worked example's, and the string to sign is written out here by hand from the docs' field table, not built by
/// <see cref="CommandSignature"/>; a change to the scheme fails here before it reaches a caller.
/// </summary>
public sealed class CommandSignatureTests
{
    private const string Secret = "queueing-local-signing-secret-not-for-production";
    private const string Body = """{"deviceId":"lamp-1","payload":{"lightStatus":"on"},"ttlSeconds":60}""";
    private const string WorkedExample = "v1=229285dc1acdbead01955f9377ab3815d0be8a72b5720ae06e1460319f30b1bb";

    private static string Hmac(string stringToSign) =>
        "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(stringToSign)));

    [Fact]
    public void Sign_TheDocumentedWorkedExample_IsItsSignature()
    {
        Assert.Equal(WorkedExample, CommandSignature.Sign(Secret, 1764288000, "/commands", null, Body));
        Assert.Equal(WorkedExample, CommandSignature.Sign(Secret, new SignedRequest("1764288000", "POST", "/commands", null, Encoding.UTF8.GetBytes(Body))));
    }

    [Fact]
    public void Sign_WithIdempotencyKeyAndStage_SignsTheFiveFieldsJoinedByLineFeeds()
    {
        var request = new SignedRequest("1764288000", "post", "/prod/commands", "task-7:evt-1", Encoding.UTF8.GetBytes(Body));

        Assert.Equal(Hmac("1764288000\nPOST\n/prod/commands\ntask-7:evt-1\n" + Body), CommandSignature.Sign(Secret, request));
    }

    [Fact]
    public void Timestamp_UnixSecondsInDigits()
    {
        Assert.Equal("1764288000", CommandSignature.Timestamp(new DateTimeOffset(2025, 11, 28, 0, 0, 0, 999, TimeSpan.Zero)));
    }

    [Fact]
    public void Headers_AreTheDocumentedNames()
    {
        Assert.Equal(
            ["X-Queueing-Timestamp", "X-Queueing-Signature", "Idempotency-Key", "v1"],
            [CommandSignature.TimestampHeader, CommandSignature.SignatureHeader, CommandSignature.IdempotencyKeyHeader, CommandSignature.Version]);
    }
}
