namespace Queueing.Emulators.Waylay.Rules;

/// <summary>The states of Waylay's streaming data sensor, spelled as the plugin reports them.</summary>
internal static class SensorStates
{
    public const string Above = "Above";
    public const string Equal = "Equal";
    public const string Below = "Below";

    /// <summary>In a state change trigger: any state (including "not known yet").</summary>
    public const string Any = "*";

    public static IReadOnlyList<string> All { get; } = [Above, Equal, Below];
}
