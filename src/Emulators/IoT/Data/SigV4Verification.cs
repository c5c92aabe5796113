namespace Queueing.Emulators.IoT.Data;

/// <summary>The outcome of checking a request's signature: valid, or the error AWS would answer with.</summary>
internal sealed record SigV4Verification(bool IsValid, string? Error)
{
    public static SigV4Verification Valid { get; } = new(true, null);

    public static SigV4Verification Invalid(string error) => new(false, error);
}
