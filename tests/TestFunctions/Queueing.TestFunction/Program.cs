using Queueing.Shared.Runtime;
using Queueing.TestFunction;

return await FunctionHost.RunAsync(TestHandlers.All);
