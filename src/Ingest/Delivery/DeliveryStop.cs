namespace Queueing.Ingest.Delivery;

/// <summary>
/// Why delivery stopped before the last round: the broker failed transiently, or the configuration is wrong
/// (credentials, URL). Either way the unsent records are retried, never parked as rejected.
/// </summary>
internal sealed record DeliveryStop(string Reason, bool ConfigurationFault);
