using Microsoft.Extensions.Logging;

namespace Queueing.Local.Up;

/// <summary>The stack's own components log into the same file as the functions, one line each, prefixed like them.</summary>
internal sealed class TextWriterLoggerProvider : ILoggerProvider
{
    private readonly TextWriter _writer;
    private readonly LogLevel _minimum;
    private readonly Lock _gate = new();

    public TextWriterLoggerProvider(TextWriter writer, LogLevel minimum = LogLevel.Information)
    {
        _writer = writer;
        _minimum = minimum;
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    public void Dispose()
    {
    }

    private void Write(string category, LogLevel level, string message, Exception? exception)
    {
        lock (_gate)
        {
            _writer.WriteLine($"[{category}] {level}: {message}{(exception is null ? string.Empty : " " + exception.Message)}");
            _writer.Flush();
        }
    }

    private sealed class Logger(TextWriterLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= provider._minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(category, logLevel, formatter(state, exception), exception);
            }
        }
    }
}
