using Queueing.Ingest;
using Queueing.Shared.Runtime;

return await FunctionHost.RunAsync(new Dictionary<string, FunctionFactory>
{
    ["ingest"] = IngestFunctionFactory.CreateAsync,
});
