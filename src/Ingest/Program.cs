// Owns: the Ingest function: an SQS telemetry batch -> rounds of events -> the Waylay broker, with retries, a circuit and parking.
// May reference: Queueing.Shared, Queueing.Contracts, Polly.Core (its Waylay client; nothing else uses Polly).
using Queueing.Ingest;
using Queueing.Shared.Runtime;

return await FunctionHost.RunAsync(new Dictionary<string, FunctionFactory>
{
    ["ingest"] = IngestFunctionFactory.CreateAsync,
});
