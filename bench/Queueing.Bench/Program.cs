using BenchmarkDotNet.Running;
using Queueing.Bench;

// `-- throughput [--records N] [--devices N] [--runs N]`: the end-to-end run; anything else goes to BenchmarkDotNet.
if (args is ["throughput", .. var options])
{
    return await ThroughputRun.RunAsync(options);
}

BenchmarkSwitcher.FromAssembly(typeof(RequestBodyBenchmarks).Assembly).Run(args);
return 0;
