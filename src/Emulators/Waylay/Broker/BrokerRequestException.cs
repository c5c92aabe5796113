namespace Queueing.Emulators.Waylay.Broker;

/// <summary>A request the broker refuses; answered as <c>{"error": Message}</c> with <see cref="StatusCode"/>.</summary>
internal sealed class BrokerRequestException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    public static BrokerRequestException BadRequest(string message) => new(400, message);
}
