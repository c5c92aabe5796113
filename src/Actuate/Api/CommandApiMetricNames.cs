namespace Queueing.Actuate.Api;

/// <summary>The command API's CloudWatch metric names (namespace Queueing, dimension FunctionName), flushed as EMF
/// once per invocation by the runtime loop. The template's alarms and dashboards name these.</summary>
internal static class CommandApiMetricNames
{
    /// <summary>Requests answered 202: the command is on the queue.</summary>
    public const string Accepted = "CommandsAccepted";
    /// <summary>Requests answered with a 4xx/5xx problem (signature, validation, queue unavailable).</summary>
    public const string Refused = "CommandsRefused";
    /// <summary>Unexpected exceptions answered with a 500 problem.</summary>
    public const string Faults = "CommandApiFaults";
}
