using System.Security.Cryptography;
using Queueing.Actuate.Api;
using Queueing.Contracts.Commands;

namespace Queueing.Actuate.Tests.Api;

public sealed class CommandIdentityTests
{
    private static readonly byte[] Body = """{"deviceId":"lamp-1","payload":{"lightStatus":"on"}}"""u8.ToArray();

    private static SignedRequest Signed(string? key = null, byte[]? body = null, string timestamp = "1764288000") =>
        new(timestamp, "POST", "/commands", key, body ?? Body);

    [Fact]
    public void DeduplicationId_WithIdempotencyKey_IsSha256OfDeviceKeyAndBody()
    {
        var expected = Convert.ToHexStringLower(SHA256.HashData([.. "key\nlamp-1\norder-42\n"u8, .. Body]));
        Assert.Equal(expected, CommandIdentity.DeduplicationId("lamp-1", Signed("order-42")));
    }

    [Fact]
    public void DeduplicationId_WithoutKey_IsSha256OfEverythingSigned()
    {
        var expected = Convert.ToHexStringLower(SHA256.HashData([.. "signed\n1764288000\nPOST\n/commands\n\n"u8, .. Body]));
        Assert.Equal(expected, CommandIdentity.DeduplicationId("lamp-1", Signed()));
        Assert.Equal(64, expected.Length);
    }

    [Fact]
    public void DeduplicationId_SameKeyResignedLater_IsTheSame()
    {
        // A caller's retry: same key and body, a new timestamp.
        Assert.Equal(CommandIdentity.DeduplicationId("lamp-1", Signed("k")), CommandIdentity.DeduplicationId("lamp-1", Signed("k", timestamp: "1764288100")));
    }

    [Fact]
    public void DeduplicationId_SameKeyForAnotherDevice_Differs()
    {
        Assert.NotEqual(CommandIdentity.DeduplicationId("lamp-1", Signed("k")), CommandIdentity.DeduplicationId("lamp-2", Signed("k")));
    }

    [Fact]
    public void DeduplicationId_SameKeyForAnotherBody_Differs()
    {
        Assert.NotEqual(CommandIdentity.DeduplicationId("lamp-1", Signed("k")), CommandIdentity.DeduplicationId("lamp-1", Signed("k", [.. Body, (byte)' '])));
    }

    [Fact]
    public void DeduplicationId_KeyedAndUnkeyed_NeverCollide()
    {
        Assert.NotEqual(CommandIdentity.DeduplicationId("lamp-1", Signed("k")), CommandIdentity.DeduplicationId("lamp-1", Signed()));
    }

    [Fact]
    public void DeduplicationId_SameBodySignedAtAnotherTime_Differs()
    {
        Assert.NotEqual(CommandIdentity.DeduplicationId("lamp-1", Signed()), CommandIdentity.DeduplicationId("lamp-1", Signed(timestamp: "1764288001")));
    }

    [Fact]
    public void DeduplicationId_AnotherBody_Differs()
    {
        Assert.NotEqual(CommandIdentity.DeduplicationId("lamp-1", Signed()), CommandIdentity.DeduplicationId("lamp-1", Signed(body: [.. Body, (byte)' '])));
    }

    [Theory]
    [InlineData("a", true)]
    [InlineData("3f9c7a2e-4b1d-4f6a-9e8b-2c1d0e9f8a7b", true)]
    [InlineData("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", true)]
    [InlineData("", false)]
    [InlineData("has space", false)]
    [InlineData("tab\t", false)]
    [InlineData("é", false)]
    public void IsValidIdempotencyKey_FollowsTheSqsDeduplicationIdRules(string key, bool expected)
    {
        Assert.Equal(expected, CommandIdentity.IsValidIdempotencyKey(key));
    }

    [Fact]
    public void IsValidIdempotencyKey_LengthLimitIs128()
    {
        Assert.True(CommandIdentity.IsValidIdempotencyKey(new string('k', 128)));
        Assert.False(CommandIdentity.IsValidIdempotencyKey(new string('k', 129)));
    }

    [Fact]
    public void CommandId_SameDeviceAndDeduplicationId_IsStable()
    {
        Assert.Equal(CommandIdentity.CommandId("lamp-1", "k"), CommandIdentity.CommandId("lamp-1", "k"));
        Assert.NotEqual(CommandIdentity.CommandId("lamp-1", "k"), CommandIdentity.CommandId("lamp-2", "k"));
        Assert.NotEqual(CommandIdentity.CommandId("lamp-1", "k"), CommandIdentity.CommandId("lamp-1", "l"));
    }

    [Fact]
    public void CommandId_IsAnRfc9562Version8Uuid()
    {
        var id = CommandIdentity.CommandId("lamp-1", "k");
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", id);
    }

    [Fact]
    public void CommandId_KnownVector_IsTheDocumentedDerivation()
    {
        // Computed outside .NET (Python hashlib): SHA-256("queueing-command\nlamp-1\nk"), first 16 bytes, version 8
        // and the RFC 9562 variant set.
        Assert.Equal("4dbe4f9b-f607-8854-8a6d-08c6fd3e81f1", CommandIdentity.CommandId("lamp-1", "k"));
    }
}
