namespace Queueing.Shared.Secrets;

/// <summary>A secret value fetched once and cached; <see cref="RefreshAsync"/> re-reads it after a rotation.</summary>
public interface ISecret
{
    ValueTask<string> GetAsync(CancellationToken cancellationToken);
    ValueTask<string> RefreshAsync(CancellationToken cancellationToken);
}
