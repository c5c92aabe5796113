using Queueing.Shared.DeadLetters;

namespace Queueing.Ingest.Tests.Support;

/// <summary>Records what the handler parks; can refuse chosen message ids, as a failed SendMessageBatch entry would.</summary>
internal sealed class RecordingParker : IRecordParker
{
    public List<ParkRequest> Parked { get; } = [];
    public HashSet<string> Refuse { get; } = [];

    public Task<ParkResult> ParkAsync(IReadOnlyList<ParkRequest> requests, CancellationToken cancellationToken)
    {
        var parked = new HashSet<string>();
        var failed = new Dictionary<string, string>();
        foreach (var request in requests)
        {
            if (Refuse.Contains(request.Record.MessageId))
            {
                failed[request.Record.MessageId] = "InternalError: refused by the test";
            }
            else
            {
                Parked.Add(request);
                parked.Add(request.Record.MessageId);
            }
        }

        return Task.FromResult(new ParkResult(parked, failed));
    }

    public ParkRequest For(string messageId) => Parked.Single(p => p.Record.MessageId == messageId);
}
