using Queueing.Shared.Secrets;

namespace Queueing.Actuate.Tests.TestSupport;

/// <summary>A secret whose stored value a test can rotate; counts the reads the verifier makes.</summary>
internal sealed class FakeSecret(string value) : ISecret
{
    private string _cached = value;

    /// <summary>What the store holds now; a refresh picks it up.</summary>
    public string Stored { get; set; } = value;

    public int Refreshes { get; private set; }

    public ValueTask<string> GetAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_cached);

    public ValueTask<string> RefreshAsync(CancellationToken cancellationToken)
    {
        Refreshes++;
        _cached = Stored;
        return ValueTask.FromResult(_cached);
    }
}
