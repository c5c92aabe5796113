using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;

namespace Queueing.Shared.Secrets;

/// <summary>
/// An SSM SecureString parameter, decrypted with the function's role. Read on first use (not during init, so a
/// slow or failing SSM is a retryable failure rather than a crash loop) and cached for the life of the instance.
/// </summary>
public sealed class SsmSecureStringSecret : ISecret
{
    private readonly IAmazonSimpleSystemsManagement _ssm;
    private readonly string _parameterName;
    private readonly SemaphoreSlim _gate = new(1, 1);
    // Read without the gate on the fast path; volatile so a value cached by one thread is seen by the others.
    private volatile string? _value;

    public SsmSecureStringSecret(IAmazonSimpleSystemsManagement ssm, string parameterName)
    {
        _ssm = ssm;
        _parameterName = parameterName;
    }

    public string ParameterName => _parameterName;

    public ValueTask<string> GetAsync(CancellationToken cancellationToken) =>
        _value is { } cached ? ValueTask.FromResult(cached) : new ValueTask<string>(LoadAsync(null, cancellationToken));

    public ValueTask<string> RefreshAsync(CancellationToken cancellationToken) =>
        new(LoadAsync(_value, cancellationToken));

    private async Task<string> LoadAsync(string? stale, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            // Another caller may have loaded (or refreshed) it while this one waited.
            if (_value is { } current && !ReferenceEquals(current, stale))
            {
                return current;
            }

            GetParameterResponse response;
            try
            {
                response = await _ssm.GetParameterAsync(new GetParameterRequest { Name = _parameterName, WithDecryption = true }, cancellationToken);
            }
            catch (ParameterNotFoundException ex)
            {
                throw new SecretUnavailableException($"SSM parameter '{_parameterName}' does not exist.", ex);
            }

            var value = response.Parameter?.Value;
            if (string.IsNullOrEmpty(value))
            {
                throw new SecretUnavailableException($"SSM parameter '{_parameterName}' is empty.");
            }

            _value = value;
            return value;
        }
        finally
        {
            _gate.Release();
        }
    }
}

/// <summary>The secret cannot be read: a configuration fault, not a property of any message.</summary>
public sealed class SecretUnavailableException : Exception
{
    public SecretUnavailableException(string message) : base(message) { }
    public SecretUnavailableException(string message, Exception inner) : base(message, inner) { }
}
