using Microsoft.Extensions.Logging;
using Queueing.Contracts.Runtime;
using Queueing.Shared.Settings;

namespace Queueing.Shared.Runtime;

/// <summary>What a function factory gets to build its handler during the init phase.</summary>
public sealed class FunctionStartup
{
    public required string FunctionName { get; init; }
    public required SettingsReader Settings { get; init; }
    public required ILoggerFactory Loggers { get; init; }
    public required TimeProvider Time { get; init; }
}

/// <summary>Builds a handler from settings; throws <see cref="SettingsException"/> naming every bad setting.</summary>
public delegate Task<IFunctionHandler> FunctionFactory(FunctionStartup startup, CancellationToken cancellationToken);
