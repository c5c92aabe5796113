namespace Queueing.Actuate.Api;

/// <summary>A validated <c>POST /commands</c> body. <paramref name="PayloadJson"/> is the raw JSON text as sent.</summary>
public sealed record CommandRequest(string DeviceId, string PayloadJson, int TtlSeconds, int Qos);
