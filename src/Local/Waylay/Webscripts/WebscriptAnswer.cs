namespace Queueing.Local.Waylay.Webscripts;

/// <summary>A webscript's answer to its caller.</summary>
public sealed record WebscriptAnswer(int Status, string? ContentType, string Body);
