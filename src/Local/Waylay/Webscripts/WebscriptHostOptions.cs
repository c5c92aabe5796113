using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Queueing.Local.Waylay.Webscripts;

public sealed record WebscriptHostOptions
{
    /// <summary>The folder of webscripts (<c>waylay/webscripts/</c>); each <c>name.js</c> is served as <c>POST /name</c>.</summary>
    public required string WebscriptsDirectory { get; init; }

    /// <summary>
    /// The webscripts' secrets, given to them as environment variables (<c>process.env</c>), e.g.
    /// <c>COMMAND_API_URL</c> and <c>COMMAND_SIGNING_SECRET</c> for <c>send-command.js</c>. Nothing else of the
    /// tool's environment reaches the webscripts but <c>PATH</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string> Secrets { get; init; } = new Dictionary<string, string>();

    /// <summary>The Node.js executable (18 or later: the webscripts use the global <c>fetch</c>).</summary>
    public string NodeExecutable { get; init; } = "node";

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>A webscript that has not answered by then is answered 504 by the host.</summary>
    public TimeSpan WebscriptTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public ILoggerFactory Loggers { get; init; } = NullLoggerFactory.Instance;
}
