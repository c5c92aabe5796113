namespace Queueing.Shared.Settings;

/// <summary>One or more settings are missing or invalid; the message names every one.</summary>
public sealed class SettingsException : Exception
{
    public SettingsException(IReadOnlyList<string> problems)
        : base("Invalid configuration: " + string.Join(" ", problems)) => Problems = problems;

    public SettingsException(IReadOnlyList<string> problems, Exception inner)
        : base("Invalid configuration: " + string.Join(" ", problems), inner) => Problems = problems;

    public IReadOnlyList<string> Problems { get; }
}
