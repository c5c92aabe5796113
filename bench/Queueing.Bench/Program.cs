using BenchmarkDotNet.Running;
using Queueing.Bench;
using Queueing.Bench.Commands;

// `-- throughput [--records N] [--devices N] [--runs N]`: the end-to-end run; anything else goes to BenchmarkDotNet.
if (args is ["throughput", .. var options])
{
    return await ThroughputRun.RunAsync(options);
}

// `-- command-throughput [--commands N] [--devices N] [--concurrency N] [--runs N] [--warmups N] [--latency-ms N]`: the publisher.
if (args is ["command-throughput", .. var commandOptions])
{
    return await CommandThroughputRun.RunAsync(commandOptions);
}

BenchmarkSwitcher.FromAssembly(typeof(RequestBodyBenchmarks).Assembly).Run(args);
return 0;
