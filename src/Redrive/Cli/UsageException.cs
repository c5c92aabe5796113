namespace Queueing.Redrive.Cli;

/// <summary>A problem the operator can fix (argument, queue, credentials, endpoint): one line, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
