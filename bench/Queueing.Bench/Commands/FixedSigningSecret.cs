using Queueing.Shared.Secrets;

namespace Queueing.Bench.Commands;

/// <summary>The signing secret as a warm instance has it: read once from SSM, then cached.</summary>
internal sealed class FixedSigningSecret(string value) : ISecret
{
    public ValueTask<string> GetAsync(CancellationToken cancellationToken) => ValueTask.FromResult(value);

    public ValueTask<string> RefreshAsync(CancellationToken cancellationToken) => ValueTask.FromResult(value);
}
