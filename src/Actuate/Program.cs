// Owns: the command API (signed HTTP -> CommandQueue.fifo) and the command publisher (CommandQueue.fifo -> IoT Data Publish).
// May reference: Queueing.Shared, Queueing.Contracts.
using Queueing.Actuate.Api;
using Queueing.Actuate.Publisher;
using Queueing.Shared.Runtime;

// One executable, two functions: the template's Handler (arriving as _HANDLER) picks which one this instance runs.
return await FunctionHost.RunAsync(new Dictionary<string, FunctionFactory>(StringComparer.Ordinal)
{
    [CommandApiFunction.HandlerName] = CommandApiFunctionFactory.CreateAsync,
    [CommandPublisherFunction.HandlerName] = CommandPublisherFunctionFactory.CreateAsync,
});
