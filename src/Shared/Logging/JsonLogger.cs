using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Queueing.Shared.Runtime;

namespace Queueing.Shared.Logging;

/// <summary>
/// Structured log lines: <c>{"timestamp","level","category","message","function_request_id","xray_trace_id",...fields,"exception"}</c>.
/// The invocation's ids carry the keys Powertools for AWS Lambda writes (<c>function_request_id</c>, and
/// <c>xray_trace_id</c> holding the trace header's <c>Root</c>), so queries written for Powertools logs work here;
/// message-template fields become camelCase JSON properties (<c>messageId</c>, <c>deviceId</c>, <c>commandId</c>:
/// the names the records and commands use themselves), so CloudWatch Logs Insights can query them.
/// </summary>
internal sealed class JsonLogger(string category, JsonLogWriter output, LogLevel minimum, TimeProvider time) : ILogger
{

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var entry = new Entry(time.GetUtcNow(), logLevel, category, formatter(state, exception), state as IReadOnlyList<KeyValuePair<string, object?>>, exception, InvocationContext.Current);
        output.WriteLine(entry, static (writer, e) => e.Write(writer));
    }

    private readonly record struct Entry(
        DateTimeOffset Timestamp,
        LogLevel Level,
        string Category,
        string Message,
        IReadOnlyList<KeyValuePair<string, object?>>? Fields,
        Exception? Exception,
        InvocationContext? Invocation)
    {
        public void Write(Utf8JsonWriter writer)
        {
            writer.WriteStartObject();
            writer.WriteString("timestamp", Timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            writer.WriteString("level", LevelName(Level));
            writer.WriteString("category", Category);
            writer.WriteString("message", Message);
            if (Invocation is not null)
            {
                writer.WriteString(RequestIdKey, Invocation.RequestId);
                if (Invocation.XRayTraceId is not null)
                {
                    writer.WriteString(TraceIdKey, Invocation.XRayTraceId);
                }
            }

            if (Fields is not null)
            {
                HashSet<string>? written = null;
                foreach (var (key, value) in Fields)
                {
                    if (key == "{OriginalFormat}")
                    {
                        continue;
                    }

                    // A template field named like a standard property ({Message}, {Level}) must not produce a
                    // second "message" key: duplicate keys make the line ambiguous to every JSON reader.
                    var name = JsonNamingPolicy.CamelCase.ConvertName(key);
                    if (StandardNames.Contains(name))
                    {
                        name = "field" + char.ToUpperInvariant(name[0]) + name[1..];
                    }

                    written ??= new HashSet<string>(StringComparer.Ordinal);
                    if (!written.Add(name))
                    {
                        continue;
                    }

                    writer.WritePropertyName(name);
                    WriteValue(writer, value);
                }
            }

            if (Exception is not null)
            {
                writer.WriteString("exception", Exception.ToString());
            }

            writer.WriteEndObject();
        }
    }

    /// <summary>Powertools' key for the Lambda request id of the invocation a line was written in.</summary>
    public const string RequestIdKey = "function_request_id";

    /// <summary>Powertools' key for the X-Ray trace id (the <c>Root</c>) of the invocation a line was written in.</summary>
    public const string TraceIdKey = "xray_trace_id";

    private static readonly HashSet<string> StandardNames = new(StringComparer.Ordinal)
    {
        "timestamp", "level", "category", "message", RequestIdKey, TraceIdKey, "exception",
    };

    internal static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case int i: writer.WriteNumberValue(i); break;
            case long l: writer.WriteNumberValue(l); break;
            case short sh: writer.WriteNumberValue(sh); break;
            case byte by: writer.WriteNumberValue(by); break;
            case uint ui: writer.WriteNumberValue(ui); break;
            case ulong ul: writer.WriteNumberValue(ul); break;
            case double d when double.IsFinite(d): writer.WriteNumberValue(d); break;
            case float f when float.IsFinite(f): writer.WriteNumberValue(f); break;
            case decimal m: writer.WriteNumberValue(m); break;
            case TimeSpan t: writer.WriteNumberValue(Math.Round(t.TotalMilliseconds, 3)); break;
            case DateTimeOffset dto: writer.WriteStringValue(dto.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)); break;
            case IFormattable f: writer.WriteStringValue(f.ToString(null, CultureInfo.InvariantCulture)); break;
            default: writer.WriteStringValue(value.ToString()); break;
        }
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRACE",
        LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARN",
        LogLevel.Error => "ERROR",
        _ => "FATAL",
    };
}

/// <summary>Hands out <see cref="JsonLogger"/>s that share one output and one minimum level.</summary>
public sealed class JsonLoggerFactory(JsonLogWriter output, LogLevel minimum, TimeProvider time) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new JsonLogger(categoryName, output, minimum, time);

    public void AddProvider(ILoggerProvider provider) =>
        throw new NotSupportedException("JsonLoggerFactory writes JSON lines itself; it takes no providers.");

    public void Dispose()
    {
    }
}
