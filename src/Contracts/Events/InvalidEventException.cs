namespace Queueing.Contracts.Runtime;

/// <summary>The event itself cannot be read: a function error, reported to the Runtime API.</summary>
public sealed class InvalidEventException : Exception
{
    public InvalidEventException(string message) : base(message) { }
    public InvalidEventException(string message, Exception inner) : base(message, inner) { }
}
