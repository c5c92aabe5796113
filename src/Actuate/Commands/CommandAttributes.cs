namespace Queueing.Actuate.Commands;

/// <summary>SQS message attributes a command carries, so an operator sees them without parsing the body.</summary>
internal static class CommandAttributes
{
    public const string CommandId = "Queueing.CommandId";
    public const string AcceptedAt = "Queueing.AcceptedAt";
    public const string ExpiresAt = "Queueing.ExpiresAt";
}
