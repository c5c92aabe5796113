namespace Queueing.Local.Cli;

/// <summary>The command cannot run as asked (exit code 2); the message says what to change.</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message) : base(message) { }

    public UsageException(string message, Exception inner) : base(message, inner) { }
}
