using System.Globalization;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Queueing.Actuate.Api;
using Queueing.Actuate.Tests.TestSupport;
using Queueing.Shared.Secrets;

namespace Queueing.Actuate.Tests.Api;

public sealed class SignatureVerifierTests
{
    private const string Body = """{"deviceId":"lamp-1","payload":{"lightStatus":"on"}}""";
    private readonly FakeTimeProvider _time = Harness.Clock();
    private readonly FakeSecret _secret = new(Harness.Secret);

    private long Now => _time.GetUtcNow().ToUnixTimeSeconds();

    private Task<string?> VerifyAsync(string? timestamp, string? signature, string body = Body, ISecret? secret = null) =>
        new SignatureVerifier(secret ?? _secret, _time).VerifyAsync(timestamp, signature, Encoding.UTF8.GetBytes(body), CancellationToken.None).AsTask();

    private static string Ts(long seconds) => seconds.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task VerifyAsync_GoodSignature_Accepts()
    {
        Assert.Null(await VerifyAsync(Ts(Now), CommandSignature.Sign(Harness.Secret, Now, Body)));
    }

    [Fact]
    public async Task VerifyAsync_UpperCaseHex_Accepts()
    {
        var signature = "v1=" + CommandSignature.Sign(Harness.Secret, Now, Body)[3..].ToUpperInvariant();
        Assert.Null(await VerifyAsync(Ts(Now), signature));
    }

    [Fact]
    public async Task VerifyAsync_WrongSecret_RefusesAsMismatch()
    {
        var refusal = await VerifyAsync(Ts(Now), CommandSignature.Sign("not-the-secret", Now, Body));
        Assert.Contains("does not match", refusal);
    }

    [Fact]
    public async Task VerifyAsync_TamperedBody_Refuses()
    {
        var signature = CommandSignature.Sign(Harness.Secret, Now, Body);
        var refusal = await VerifyAsync(Ts(Now), signature, Body.Replace("\"on\"", "\"off\"", StringComparison.Ordinal));
        Assert.Contains("does not match", refusal);
    }

    [Fact]
    public async Task VerifyAsync_SignatureForAnotherTimestamp_Refuses()
    {
        var refusal = await VerifyAsync(Ts(Now), CommandSignature.Sign(Harness.Secret, Now - 1, Body));
        Assert.Contains("does not match", refusal);
    }

    [Theory]
    [InlineData(-300)]
    [InlineData(300)]
    [InlineData(0)]
    public async Task VerifyAsync_TimestampWithinFiveMinutes_Accepts(int offsetSeconds)
    {
        var timestamp = Now + offsetSeconds;
        Assert.Null(await VerifyAsync(Ts(timestamp), CommandSignature.Sign(Harness.Secret, timestamp, Body)));
    }

    [Fact]
    public async Task VerifyAsync_TimestampOlderThanFiveMinutes_RefusesAsReplay()
    {
        var timestamp = Now - 301;
        var refusal = await VerifyAsync(Ts(timestamp), CommandSignature.Sign(Harness.Secret, timestamp, Body));
        Assert.Contains("301 s old", refusal);
    }

    [Fact]
    public async Task VerifyAsync_TimestampMoreThanFiveMinutesAhead_Refuses()
    {
        var timestamp = Now + 301;
        var refusal = await VerifyAsync(Ts(timestamp), CommandSignature.Sign(Harness.Secret, timestamp, Body));
        Assert.Contains("in the future", refusal);
    }

    [Fact]
    public async Task VerifyAsync_StaleRequest_RefusedWithoutReadingTheSecret()
    {
        var timestamp = Now - 3600;
        var refusal = await VerifyAsync(Ts(timestamp), CommandSignature.Sign(Harness.Secret, timestamp, Body), secret: new UnreadableSecret());
        Assert.Contains("old", refusal);
    }

    [Theory]
    [InlineData(null, "missing")]
    [InlineData("", "missing")]
    [InlineData("abc", "digits only")]
    [InlineData("-1764288000", "digits only")]
    [InlineData("1764288000.5", "digits only")]
    [InlineData(" 1764288000", "digits only")]
    [InlineData("9999999999999999999", "digits only")]
    [InlineData("2025-11-28T00:00:00Z", "digits only")]
    public async Task VerifyAsync_MissingOrGarbledTimestamp_Refuses(string? timestamp, string expected)
    {
        var refusal = await VerifyAsync(timestamp, CommandSignature.Sign(Harness.Secret, Now, Body));
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
        var refusal = await VerifyAsync(Ts(Now), signature);
        Assert.Contains(expected, refusal);
    }

    [Fact]
    public async Task VerifyAsync_SeveralSignaturesOneGood_Accepts()
    {
        var good = CommandSignature.Sign(Harness.Secret, Now, Body);
        var old = CommandSignature.Sign("previous-secret", Now, Body);
        Assert.Null(await VerifyAsync(Ts(Now), $"{old}, {good}"));
    }

    [Fact]
    public async Task VerifyAsync_MismatchSoonAfterColdStart_DoesNotRereadTheSecret()
    {
        var verifier = new SignatureVerifier(_secret, _time);
        await verifier.VerifyAsync(Ts(Now), CommandSignature.Sign(Harness.Secret, Now, Body), Encoding.UTF8.GetBytes(Body), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(59));

        var refusal = await verifier.VerifyAsync(Ts(Now), CommandSignature.Sign("wrong", Now, Body), Encoding.UTF8.GetBytes(Body), CancellationToken.None);

        Assert.NotNull(refusal);
        Assert.Equal(0, _secret.Refreshes);
    }

    [Fact]
    public async Task VerifyAsync_SecretRotated_AcceptsTheNewSecretAfterOneReread()
    {
        var verifier = new SignatureVerifier(_secret, _time);
        Assert.Null(await verifier.VerifyAsync(Ts(Now), CommandSignature.Sign(Harness.Secret, Now, Body), Encoding.UTF8.GetBytes(Body), CancellationToken.None));
        _secret.Stored = "rotated-secret";
        _time.Advance(SignatureVerifier.RefreshInterval);

        var withNew = await verifier.VerifyAsync(Ts(Now), CommandSignature.Sign("rotated-secret", Now, Body), Encoding.UTF8.GetBytes(Body), CancellationToken.None);
        var withOld = await verifier.VerifyAsync(Ts(Now), CommandSignature.Sign(Harness.Secret, Now, Body), Encoding.UTF8.GetBytes(Body), CancellationToken.None);

        Assert.Null(withNew);
        Assert.NotNull(withOld);
        Assert.Equal(1, _secret.Refreshes);
    }

    [Fact]
    public async Task VerifyAsync_FloodOfBadSignatures_RereadsTheSecretAtMostOncePerInterval()
    {
        var verifier = new SignatureVerifier(_secret, _time);
        for (var i = 0; i < 100; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(3));
            await verifier.VerifyAsync(Ts(Now), CommandSignature.Sign("attacker", Now, Body), Encoding.UTF8.GetBytes(Body), CancellationToken.None);
        }

        // Attempts at 3, 6, ..., 300 s; the secret was first read at 3 s, so re-reads happen at 63, 123, 183 and 243 s.
        Assert.Equal(4, _secret.Refreshes);
    }

    private sealed class UnreadableSecret : ISecret
    {
        public ValueTask<string> GetAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("the secret must not be read");

        public ValueTask<string> RefreshAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("the secret must not be read");
    }
}
