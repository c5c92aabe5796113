namespace Queueing.Emulators.Lambda;

/// <summary>
/// How to start a function's process: the executable, its arguments and the complete environment (the Runtime API
/// address is added per instance). The process gets only this environment, as a Lambda sandbox does.
/// </summary>
public sealed record FunctionLaunch(
    string FileName,
    IReadOnlyList<string> Arguments,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment);
