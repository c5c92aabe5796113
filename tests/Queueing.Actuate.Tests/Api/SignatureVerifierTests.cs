using System.Globalization;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Queueing.Actuate.Api;
using Queueing.Actuate.Tests.Support;
using Queueing.Contracts.Commands;
using Queueing.Shared.Secrets;
using Queueing.Testing;

namespace Queueing.Actuate.Tests.Api;

public sealed class SignatureVerifierTests
{
    private const string Body = """{"deviceId":"lamp-1","payload":{"lightStatus":"on"}}""";
    private const string Path = "/commands";
    private const string OtherSecret = "another-signing-secret-0123456789abcdef";
    private readonly FakeTimeProvider _time = Harness.Clock();
    private readonly FakeSecret _secret = new(Harness.Secret);

    private long Now => _time.GetUtcNow().ToUnixTimeSeconds();

    private static string Ts(long seconds) => seconds.ToString(CultureInfo.InvariantCulture);

    private static SignedRequest Request(string timestamp, string? key = null, string body = Body, string method = "POST", string path = Path) =>
        new(timestamp, method, path, key, Encoding.UTF8.GetBytes(body));

    private static string Sign(string secret, long timestamp, string? key = null, string body = Body, string method = "POST", string path = Path) =>
        CommandSignature.Sign(secret, Request(Ts(timestamp), key, body, method, path));

    private SignatureVerifier Verifier(ISecret? secret = null, ReplayWindow? window = null) =>
        new(new SigningSecret(secret ?? _secret, Harness.SecretParameter, _time), window ?? ReplayWindow.Default, _time);

    private Task<string?> VerifyAsync(SignedRequest request, string? signature, ISecret? secret = null, ReplayWindow? window = null) =>
        Verifier(secret, window).VerifyAsync(request, signature, CancellationToken.None).AsTask();

    [Fact]
    public async Task VerifyAsync_GoodSignature_Accepts()
    {
        Assert.Null(await VerifyAsync(Request(Ts(Now)), Sign(Harness.Secret, Now)));
    }

    [Fact]
    public async Task VerifyAsync_GoodSignatureWithIdempotencyKey_Accepts()
    {
        Assert.Null(await VerifyAsync(Request(Ts(Now), key: "task-7:1764288000"), Sign(Harness.Secret, Now, key: "task-7:1764288000")));
    }

    [Fact]
    public async Task VerifyAsync_UpperCaseHex_Accepts()
    {
        var signature = "v1=" + Sign(Harness.Secret, Now)[3..].ToUpperInvariant();
        Assert.Null(await VerifyAsync(Request(Ts(Now)), signature));
    }

    [Fact]
    public async Task VerifyAsync_WrongSecret_RefusesAsMismatch()
    {
        var refusal = await VerifyAsync(Request(Ts(Now)), Sign(OtherSecret, Now));
        Assert.Contains("does not match", refusal);
    }

    /// <summary>Every input that decides the outcome is signed: changing any one of them breaks the signature.</summary>
    public static TheoryData<string, string?, string, string, string> Tampered => new()
    {
        // label, idempotency key, body, method, path as received (signed: no key, Body, POST, /commands)
        { "another body", null, Body.Replace("\"on\"", "\"off\"", StringComparison.Ordinal), "POST", Path },
        { "another device", null, Body.Replace("lamp-1", "lamp-2", StringComparison.Ordinal), "POST", Path },
        { "a key added", "fresh-key-1", Body, "POST", Path },
        { "an empty body", null, "", "POST", Path },
        { "another method", null, Body, "PUT", Path },
        { "another path", null, Body, "POST", "/prod/commands" },
        { "a trailing slash", null, Body, "POST", "/commands/" },
    };

    [Theory]
    [MemberData(nameof(Tampered))]
    public async Task VerifyAsync_AnySignedInputChanged_Refuses(string label, string? key, string body, string method, string path)
    {
        var refusal = await VerifyAsync(Request(Ts(Now), key, body, method, path), Sign(Harness.Secret, Now));
        Assert.True(refusal is not null && refusal.Contains("does not match", StringComparison.Ordinal), $"{label}: {refusal ?? "accepted"}");
    }

    [Fact]
    public async Task VerifyAsync_ReplayWithAnotherIdempotencyKey_Refuses()
    {
        var signature = Sign(Harness.Secret, Now, key: "original-key");
        Assert.Null(await VerifyAsync(Request(Ts(Now), key: "original-key"), signature));
        Assert.Contains("does not match", await VerifyAsync(Request(Ts(Now), key: "replayed-key"), signature));
        Assert.Contains("does not match", await VerifyAsync(Request(Ts(Now), key: null), signature));
    }

    [Fact]
    public async Task VerifyAsync_SignatureForAnotherTimestamp_Refuses()
    {
        var refusal = await VerifyAsync(Request(Ts(Now)), Sign(Harness.Secret, Now - 1));
        Assert.Contains("does not match", refusal);
    }

    [Fact]
    public async Task VerifyAsync_KeyAndBodyFieldsRunTogether_CannotBeReadAnotherWay()
    {
        // Without separators "k" + "\n{...}" and "k\n" + "{...}" would sign the same bytes.
        var signature = Sign(Harness.Secret, Now, key: "k", body: "x" + Body);
        Assert.Contains("does not match", await VerifyAsync(Request(Ts(Now), key: "kx", body: Body), signature));
    }

    [Fact]
    public async Task VerifyAsync_AtTheEdgesOfTheWindow_AcceptsInsideAndRefusesOutside()
    {
        var window = ReplayWindow.Default;
        var oldest = Now - (long)window.MaxAge.TotalSeconds;
        var newest = Now + (long)window.MaxAhead.TotalSeconds;

        Assert.Null(await VerifyAsync(Request(Ts(oldest)), Sign(Harness.Secret, oldest)));
        Assert.Null(await VerifyAsync(Request(Ts(newest)), Sign(Harness.Secret, newest)));
        Assert.Contains($"is {window.MaxAge.TotalSeconds + 1} s old", await VerifyAsync(Request(Ts(oldest - 1)), Sign(Harness.Secret, oldest - 1)));
        Assert.Contains($"is {window.MaxAhead.TotalSeconds + 1} s in the future", await VerifyAsync(Request(Ts(newest + 1)), Sign(Harness.Secret, newest + 1)));
    }

    [Fact]
    public async Task VerifyAsync_NoClockSkewAllowed_RefusesOneSecondAhead()
    {
        var window = ReplayWindow.ForClockSkew(TimeSpan.Zero);
        Assert.Null(await VerifyAsync(Request(Ts(Now)), Sign(Harness.Secret, Now), window: window));
        Assert.Contains("is 1 s in the future", await VerifyAsync(Request(Ts(Now + 1)), Sign(Harness.Secret, Now + 1), window: window));
    }

    [Fact]
    public async Task VerifyAsync_StaleRequest_RefusedWithoutReadingTheSecret()
    {
        var timestamp = Now - 3600;
        var refusal = await VerifyAsync(Request(Ts(timestamp)), Sign(Harness.Secret, timestamp), secret: new UnreadableSecret());
        Assert.Contains("old", refusal);
    }

    [Theory]
    [InlineData("", "missing")]
    [InlineData("abc", "at most 11 digits")]
    [InlineData("-1764288000", "at most 11 digits")]
    [InlineData("1764288000.5", "at most 11 digits")]
    [InlineData(" 1764288000", "at most 11 digits")]
    [InlineData("999999999999", "at most 11 digits")]
    [InlineData("9999999999999999999", "at most 11 digits")]
    [InlineData("2025-11-28T00:00:00Z", "at most 11 digits")]
    [InlineData("١٧٦٤٢٨٨٠٠٠", "at most 11 digits")]
    [InlineData("99999999999", "in the future")]
    [InlineData("00000000000", "old")]
    public async Task VerifyAsync_MissingGarbledOrOutOfRangeTimestamp_RefusesWithoutThrowing(string timestamp, string expected)
    {
        var refusal = await VerifyAsync(Request(timestamp), Sign(Harness.Secret, Now));
        Assert.Contains(expected, refusal);
        Assert.Contains(CommandSignature.TimestampHeader, refusal);
    }

    [Theory]
    [InlineData(null, "missing")]
    [InlineData("  ", "missing")]
    [InlineData("v1=", "64 hex digits")]
    [InlineData("v1=abc", "64 hex digits")]
    [InlineData("v1=zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", "64 hex digits")]
    [InlineData("v1=0000000000000000000000000000000000000000000000000000000000000000ff", "64 hex digits")]
    [InlineData("sha256=0000000000000000000000000000000000000000000000000000000000000000", "no v1")]
    [InlineData("v2=0000000000000000000000000000000000000000000000000000000000000000", "no v1")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000", "no v1")]
    public async Task VerifyAsync_MissingOrGarbledSignature_Refuses(string? signature, string expected)
    {
        var refusal = await VerifyAsync(Request(Ts(Now)), signature);
        Assert.Contains(expected, refusal);
    }

    [Fact]
    public async Task VerifyAsync_SeveralSignaturesOneGood_Accepts()
    {
        var good = Sign(Harness.Secret, Now);
        var old = Sign(OtherSecret, Now);
        Assert.Null(await VerifyAsync(Request(Ts(Now)), $"{old}, {good}"));
        Assert.Null(await VerifyAsync(Request(Ts(Now)), $"{good}, {old}"));
    }

    [Fact]
    public async Task VerifyAsync_TheGoodSignatureTwice_Accepts()
    {
        var good = Sign(Harness.Secret, Now);
        Assert.Null(await VerifyAsync(Request(Ts(Now)), $"{good},{good}"));
    }

    [Fact]
    public async Task VerifyAsync_SeveralSignaturesNoneGood_Refuses()
    {
        var refusal = await VerifyAsync(Request(Ts(Now)), $"{Sign(OtherSecret, Now)}, {Sign(OtherSecret, Now - 1)}");
        Assert.Contains("does not match", refusal);
    }

    [Fact]
    public async Task VerifyAsync_MismatchSoonAfterColdStart_DoesNotRereadTheSecret()
    {
        var verifier = Verifier();
        await verifier.VerifyAsync(Request(Ts(Now)), Sign(Harness.Secret, Now), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(59));

        var refusal = await verifier.VerifyAsync(Request(Ts(Now)), Sign(OtherSecret, Now), CancellationToken.None);

        Assert.NotNull(refusal);
        Assert.Equal(0, _secret.Refreshes);
    }

    [Fact]
    public async Task VerifyAsync_SecretRotated_AcceptsTheNewSecretAfterOneReread()
    {
        var verifier = Verifier();
        Assert.Null(await verifier.VerifyAsync(Request(Ts(Now)), Sign(Harness.Secret, Now), CancellationToken.None));
        _secret.Stored = OtherSecret;
        _time.Advance(SignatureVerifier.RefreshInterval);

        var withNew = await verifier.VerifyAsync(Request(Ts(Now)), Sign(OtherSecret, Now), CancellationToken.None);
        var withOld = await verifier.VerifyAsync(Request(Ts(Now)), Sign(Harness.Secret, Now), CancellationToken.None);

        Assert.Null(withNew);
        Assert.NotNull(withOld);
        Assert.Equal(1, _secret.Refreshes);
    }

    [Fact]
    public async Task VerifyAsync_SecretJustRotated_StillRefusesASignatureOfNeitherSecret()
    {
        // The re-read finds a new secret; that alone must never let a request in.
        var verifier = Verifier();
        Assert.Null(await verifier.VerifyAsync(Request(Ts(Now)), Sign(Harness.Secret, Now), CancellationToken.None));
        _secret.Stored = OtherSecret;
        _time.Advance(SignatureVerifier.RefreshInterval);

        var refusal = await verifier.VerifyAsync(Request(Ts(Now)), Sign("attacker-secret-0123456789abcdef0123", Now), CancellationToken.None);

        Assert.Contains("does not match", refusal);
        Assert.Equal(1, _secret.Refreshes);
    }

    [Fact]
    public async Task VerifyAsync_FloodOfBadSignatures_RereadsTheSecretAtMostOncePerInterval()
    {
        var verifier = Verifier();
        for (var i = 0; i < 100; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(2));
            await verifier.VerifyAsync(Request(Ts(Now)), Sign(OtherSecret, Now), CancellationToken.None);
        }

        // Attempts at 2, 4, ..., 200 s; the secret was first read at 2 s, so re-reads happen at 62, 122 and 182 s.
        Assert.Equal(3, _secret.Refreshes);
    }

    [Fact]
    public async Task VerifyAsync_SecretOlderThanItsMaxAge_IsReadAgainAndARevokedSecretStopsWorking()
    {
        var verifier = Verifier();
        Assert.Null(await verifier.VerifyAsync(Request(Ts(Now)), Sign(Harness.Secret, Now), CancellationToken.None));
        _secret.Stored = OtherSecret; // rotated away, e.g. after a leak

        _time.Advance(SigningSecret.MaxAge - TimeSpan.FromSeconds(1));
        Assert.Null(await verifier.VerifyAsync(Request(Ts(Now)), Sign(Harness.Secret, Now), CancellationToken.None));
        Assert.Equal(0, _secret.Refreshes);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await verifier.VerifyAsync(Request(Ts(Now)), Sign(OtherSecret, Now), CancellationToken.None));
        Assert.Equal(1, _secret.Refreshes);
        Assert.NotNull(await verifier.VerifyAsync(Request(Ts(Now)), Sign(Harness.Secret, Now), CancellationToken.None));
    }

    [Fact]
    public async Task VerifyAsync_SecretShorterThan32Bytes_FailsNamingTheParameter()
    {
        var ex = await Assert.ThrowsAsync<SecretUnavailableException>(() => VerifyAsync(Request(Ts(Now)), Sign(Harness.Secret, Now), secret: new FakeSecret(new string('s', 31))));
        Assert.Contains(Harness.SecretParameter, ex.Message);
        Assert.Contains("31 bytes", ex.Message);
    }

    [Fact]
    public async Task VerifyAsync_SecretOfExactly32Bytes_Accepts()
    {
        var secret = new string('s', 32);
        Assert.Null(await VerifyAsync(Request(Ts(Now)), Sign(secret, Now), secret: new FakeSecret(secret)));
    }

    private sealed class UnreadableSecret : ISecret
    {
        public ValueTask<string> GetAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("the secret must not be read");

        public ValueTask<string> RefreshAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("the secret must not be read");
    }
}
