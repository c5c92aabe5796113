using Queueing.Shared.Secrets;

namespace Queueing.Testing;

/// <summary>
/// An <see cref="ISecret"/> whose stored value the test rotates; the cache behaves like SSM's wrapper (the first
/// read loads, later reads hit the cache until a refresh). Counts reads and refreshes, and fails on demand.
/// </summary>
public sealed class FakeSecret : ISecret
{
    private string? _cached;

    public FakeSecret(string value) => Stored = value;

    public static string Json(string apiKey, string apiSecret) => $"{{\"apiKey\":\"{apiKey}\",\"apiSecret\":\"{apiSecret}\"}}";

    /// <summary>The value in the parameter store now (the test rotates it).</summary>
    public string Stored { get; set; }

    /// <summary>Thrown on the next read instead of a value, as if SSM failed.</summary>
    public Exception? Failure { get; set; }

    public int Reads { get; private set; }
    public int Refreshes { get; private set; }

    public ValueTask<string> GetAsync(CancellationToken cancellationToken) => _cached is { } v ? ValueTask.FromResult(v) : Load();

    public ValueTask<string> RefreshAsync(CancellationToken cancellationToken)
    {
        Refreshes++;
        return Load();
    }

    private ValueTask<string> Load()
    {
        Reads++;
        if (Failure is { } failure)
        {
            return ValueTask.FromException<string>(failure);
        }

        // A new string instance per read, as a fresh SSM response would be.
        _cached = new string(Stored.AsSpan());
        return ValueTask.FromResult(_cached);
    }
}
