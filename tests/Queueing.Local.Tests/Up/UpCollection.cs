namespace Queueing.Local.Tests.Up;

/// <summary>Whole-stack runs take turns: two stacks at once on a 2-core machine starve each other's functions into
/// timeouts, which tests something else than what they say.</summary>
[CollectionDefinition(Name)]
public sealed class UpCollection
{
    public const string Name = "up: one local stack at a time";
}
