namespace Queueing.Redrive.Cli;

/// <summary>A problem the operator can fix (argument, queue, credentials, endpoint): one line, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
