namespace Queueing.Local.Cli;

/// <summary>The tool's exit codes (documented in --help).</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The function errored, timed out or failed its init.</summary>
    public const int FunctionFailed = 1;

    /// <summary>Bad command line, unknown function, missing or invalid file, template the local stack cannot resolve.</summary>
    public const int Usage = 2;

    /// <summary>The environment failed: the build, or the local AWS (moto) could not start or be set up.</summary>
    public const int Environment = 3;

    /// <summary>Interrupted (Ctrl+C / SIGINT / SIGTERM), as shells report a SIGINT exit.</summary>
    public const int Cancelled = 130;
}
