using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Queueing.Shared.Settings;

/// <summary>
/// Reads settings from environment variables and collects every problem, so one init failure names all of
/// them. Call <see cref="ThrowIfInvalid"/> before using any value read: after a problem the returned value is a
/// placeholder.
/// </summary>
public sealed class SettingsReader
{
    private readonly IReadOnlyDictionary<string, string> _variables;
    private readonly List<string> _problems = [];

    public SettingsReader(IReadOnlyDictionary<string, string> variables) => _variables = variables;

    public IReadOnlyList<string> Problems => _problems;

    /// <summary>Records a problem found outside this reader (e.g. a value that parses but contradicts another).</summary>
    public void AddProblem(string problem)
    {
        // The host and the function factory may read the same setting (LOG_LEVEL): one problem, one mention.
        if (!_problems.Contains(problem, StringComparer.Ordinal))
        {
            _problems.Add(problem);
        }
    }

    public string? Optional(string name) =>
        _variables.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    public string Required(string name)
    {
        var value = Optional(name);
        if (value is null)
        {
            AddProblem($"{name} is required but not set.");
            return string.Empty;
        }

        return value;
    }

    /// <summary>An absolute http(s) URL; with <paramref name="allowHost"/>, a bare host name gets <c>https://</c>.</summary>
    public Uri RequiredUrl(string name, bool allowHost = false)
    {
        var value = Required(name);
        if (value.Length == 0)
        {
            return new Uri("http://invalid.invalid/");
        }

        if (allowHost && !value.Contains("://", StringComparison.Ordinal))
        {
            value = "https://" + value;
        }

        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
        {
            return uri;
        }

        AddProblem($"{name} must be an absolute http(s) URL, got '{value}'.");
        return new Uri("http://invalid.invalid/");
    }

    public int Int(string name, int defaultValue, int min, int max)
    {
        var value = Optional(name);
        if (value is null)
        {
            return defaultValue;
        }

        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && parsed >= min && parsed <= max)
        {
            return parsed;
        }

        AddProblem($"{name} must be an integer from {min} to {max}, got '{value}'.");
        return defaultValue;
    }

    public int RequiredInt(string name, int min, int max)
    {
        if (Optional(name) is null)
        {
            AddProblem($"{name} is required but not set (an integer from {min} to {max}).");
            return min;
        }

        return Int(name, min, min, max);
    }

    /// <summary><c>LOG_LEVEL</c>: Debug, Information (default), Warning or Error.</summary>
    public LogLevel LogLevel()
    {
        var value = Optional("LOG_LEVEL");
        if (value is null)
        {
            return Microsoft.Extensions.Logging.LogLevel.Information;
        }

        foreach (var level in (ReadOnlySpan<LogLevel>)[
            Microsoft.Extensions.Logging.LogLevel.Trace, Microsoft.Extensions.Logging.LogLevel.Debug,
            Microsoft.Extensions.Logging.LogLevel.Information, Microsoft.Extensions.Logging.LogLevel.Warning,
            Microsoft.Extensions.Logging.LogLevel.Error, Microsoft.Extensions.Logging.LogLevel.Critical])
        {
            if (string.Equals(level.ToString(), value, StringComparison.OrdinalIgnoreCase))
            {
                return level;
            }
        }

        AddProblem($"LOG_LEVEL must be Debug, Information, Warning or Error, got '{value}'.");
        return Microsoft.Extensions.Logging.LogLevel.Information;
    }

    public void ThrowIfInvalid()
    {
        if (_problems.Count > 0)
        {
            throw new SettingsException([.. _problems]);
        }
    }
}
