namespace Queueing.Emulators.IoT.Data;

/// <summary>The credentials requests must be signed with, as the local stack hands them to the functions.
/// A null <see cref="SessionToken"/> does not check <c>X-Amz-Security-Token</c>.</summary>
public sealed record SigV4Credentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null);
