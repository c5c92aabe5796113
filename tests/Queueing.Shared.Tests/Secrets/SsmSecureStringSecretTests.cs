using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using Queueing.Shared.Secrets;
using Queueing.Testing;

namespace Queueing.Shared.Tests.Secrets;

/// <summary>Against a real moto_server: SSM SecureString parameters, decrypted with the default KMS key.</summary>
public sealed class SsmSecureStringSecretTests : IClassFixture<MotoServer>, IDisposable
{
    private readonly AmazonSimpleSystemsManagementClient _ssm;
    private readonly string _name = "/queueing/test/" + Guid.NewGuid().ToString("N");

    public SsmSecureStringSecretTests(MotoServer moto) => _ssm = moto.CreateSsm();

    public void Dispose() => _ssm.Dispose();

    private Task PutAsync(string value, bool overwrite = false) =>
        _ssm.PutParameterAsync(new PutParameterRequest { Name = _name, Value = value, Type = ParameterType.SecureString, Overwrite = overwrite });

    [Fact]
    public async Task GetAsync_SecureString_ReturnsTheDecryptedValue()
    {
        await PutAsync("""{"apiKey":"k","apiSecret":"s"}""");
        var secret = new SsmSecureStringSecret(_ssm, _name);

        var value = await secret.GetAsync(CancellationToken.None);
        var undecrypted = await _ssm.GetParameterAsync(new GetParameterRequest { Name = _name, WithDecryption = false });

        Assert.Equal("""{"apiKey":"k","apiSecret":"s"}""", value);
        // Without decryption SSM (and moto) hands out something else: the secret asked for decryption.
        Assert.NotEqual(value, undecrypted.Parameter.Value);
        Assert.Equal(_name, secret.ParameterName);
    }

    [Fact]
    public async Task GetAsync_SecondCall_ServesTheCachedValueWithoutAskingSsm()
    {
        await PutAsync("first");
        var secret = new SsmSecureStringSecret(_ssm, _name);
        await secret.GetAsync(CancellationToken.None);

        // Rotated in SSM: a Get that went to SSM would see "second".
        await PutAsync("second", overwrite: true);
        var again = await secret.GetAsync(CancellationToken.None);

        Assert.Equal("first", again);
    }

    [Fact]
    public async Task RefreshAsync_AfterRotation_ReadsTheNewValueAndCachesIt()
    {
        await PutAsync("old-secret");
        var secret = new SsmSecureStringSecret(_ssm, _name);
        await secret.GetAsync(CancellationToken.None);
        await PutAsync("new-secret", overwrite: true);

        var refreshed = await secret.RefreshAsync(CancellationToken.None);
        await PutAsync("newer-secret", overwrite: true);
        var cached = await secret.GetAsync(CancellationToken.None);

        Assert.Equal("new-secret", refreshed);
        Assert.Equal("new-secret", cached);
    }

    [Fact]
    public async Task GetAsync_ConcurrentFirstCalls_AllSeeTheSameValue()
    {
        await PutAsync("shared");
        var secret = new SsmSecureStringSecret(_ssm, _name);

        var values = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => secret.GetAsync(CancellationToken.None).AsTask()));

        Assert.All(values, v => Assert.Equal("shared", v));
    }

    [Fact]
    public async Task GetAsync_MissingParameter_ThrowsSecretUnavailableNamingIt()
    {
        var secret = new SsmSecureStringSecret(_ssm, _name);

        var error = await Assert.ThrowsAsync<SecretUnavailableException>(() => secret.GetAsync(CancellationToken.None).AsTask());

        Assert.Contains(_name, error.Message, StringComparison.Ordinal);
        Assert.IsType<ParameterNotFoundException>(error.InnerException);
    }

    [Fact]
    public async Task GetAsync_ParameterCreatedAfterAFailedRead_IsReadOnTheNextCall()
    {
        var secret = new SsmSecureStringSecret(_ssm, _name);
        await Assert.ThrowsAsync<SecretUnavailableException>(() => secret.GetAsync(CancellationToken.None).AsTask());

        await PutAsync("late");

        Assert.Equal("late", await secret.GetAsync(CancellationToken.None));
    }
}
