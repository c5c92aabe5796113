using Microsoft.Extensions.Logging;
using Queueing.Shared.Settings;

namespace Queueing.Shared.Tests.Settings;

public sealed class SettingsReaderTests
{
    private static SettingsReader Reader(params (string Name, string Value)[] variables) =>
        new(variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal));

    [Fact]
    public void Optional_SetWithSurroundingSpaces_ReturnsTrimmedValue()
    {
        Assert.Equal("x", Reader(("A", "  x ")).Optional("A"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Optional_MissingOrBlank_ReturnsNullWithoutProblem(string? value)
    {
        var reader = value is null ? Reader() : Reader(("A", value));

        Assert.Null(reader.Optional("A"));
        Assert.Empty(reader.Problems);
    }

    [Fact]
    public void Required_Set_ReturnsValue()
    {
        var reader = Reader(("COMMAND_QUEUE_URL", "http://q"));

        Assert.Equal("http://q", reader.Required("COMMAND_QUEUE_URL"));
        reader.ThrowIfInvalid();
    }

    [Theory]
    [InlineData(null)]
    [InlineData(" ")]
    public void Required_MissingOrBlank_RecordsProblemNamingTheSetting(string? value)
    {
        var reader = value is null ? Reader() : Reader(("COMMAND_QUEUE_URL", value));

        reader.Required("COMMAND_QUEUE_URL");

        Assert.Equal(["COMMAND_QUEUE_URL is required but not set."], reader.Problems);
    }

    [Theory]
    [InlineData("https://api.waylay.io", "https://api.waylay.io/")]
    [InlineData("http://127.0.0.1:8080/base/", "http://127.0.0.1:8080/base/")]
    public void RequiredUrl_AbsoluteHttpUrl_ReturnsUri(string value, string expected)
    {
        var reader = Reader(("WAYLAY_DATA_URL", value));

        Assert.Equal(new Uri(expected), reader.RequiredUrl("WAYLAY_DATA_URL"));
        Assert.Empty(reader.Problems);
    }

    [Theory]
    [InlineData("api.waylay.io")]
    [InlineData("/relative/path")]
    [InlineData("ftp://files.example.com/")]
    [InlineData("file:///etc/passwd")]
    [InlineData("https://")]
    public void RequiredUrl_NotAnAbsoluteHttpUrl_RecordsProblemWithTheValue(string value)
    {
        var reader = Reader(("WAYLAY_DATA_URL", value));

        reader.RequiredUrl("WAYLAY_DATA_URL");

        var problem = Assert.Single(reader.Problems);
        Assert.StartsWith("WAYLAY_DATA_URL must be an absolute http(s) URL", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void RequiredUrl_Missing_RecordsOneProblem()
    {
        var reader = Reader();

        reader.RequiredUrl("WAYLAY_DATA_URL");

        Assert.Equal(["WAYLAY_DATA_URL is required but not set."], reader.Problems);
    }

    [Theory]
    [InlineData("abc123-ats.iot.eu-west-1.amazonaws.com", "https://abc123-ats.iot.eu-west-1.amazonaws.com/")]
    [InlineData("http://127.0.0.1:4566", "http://127.0.0.1:4566/")]
    public void RequiredUrl_HostAllowed_BareHostBecomesHttps(string value, string expected)
    {
        var reader = Reader(("IOT_DATA_ENDPOINT", value));

        Assert.Equal(new Uri(expected), reader.RequiredUrl("IOT_DATA_ENDPOINT", allowHost: true));
        Assert.Empty(reader.Problems);
    }

    [Theory]
    [InlineData(null, 5000)]
    [InlineData("250", 250)]
    [InlineData("100", 100)]
    [InlineData("60000", 60000)]
    public void Int_MissingOrInRange_ReturnsDefaultOrValue(string? value, int expected)
    {
        var reader = value is null ? Reader() : Reader(("WAYLAY_REQUEST_TIMEOUT_MS", value));

        Assert.Equal(expected, reader.Int("WAYLAY_REQUEST_TIMEOUT_MS", 5000, 100, 60000));
        Assert.Empty(reader.Problems);
    }

    [Theory]
    [InlineData("99")]
    [InlineData("60001")]
    [InlineData("5s")]
    [InlineData("1.5")]
    [InlineData("99999999999")]
    public void Int_OutOfRangeOrNotAnInteger_RecordsProblemWithBoundsAndValue(string value)
    {
        var reader = Reader(("WAYLAY_REQUEST_TIMEOUT_MS", value));

        reader.Int("WAYLAY_REQUEST_TIMEOUT_MS", 5000, 100, 60000);

        Assert.Equal([$"WAYLAY_REQUEST_TIMEOUT_MS must be an integer from 100 to 60000, got '{value}'."], reader.Problems);
    }

    [Fact]
    public void RequiredInt_InRange_ReturnsValue()
    {
        var reader = Reader(("MAX_RECEIVE_COUNT", "5"));

        Assert.Equal(5, reader.RequiredInt("MAX_RECEIVE_COUNT", 1, 1000));
        Assert.Empty(reader.Problems);
    }

    [Fact]
    public void RequiredInt_Missing_RecordsProblemWithBounds()
    {
        var reader = Reader();

        reader.RequiredInt("MAX_RECEIVE_COUNT", 1, 1000);

        Assert.Equal(["MAX_RECEIVE_COUNT is required but not set (an integer from 1 to 1000)."], reader.Problems);
    }

    [Fact]
    public void RequiredInt_Invalid_RecordsProblem()
    {
        var reader = Reader(("MAX_RECEIVE_COUNT", "0"));

        reader.RequiredInt("MAX_RECEIVE_COUNT", 1, 1000);

        Assert.Equal(["MAX_RECEIVE_COUNT must be an integer from 1 to 1000, got '0'."], reader.Problems);
    }

    [Theory]
    [InlineData(null, LogLevel.Information)]
    [InlineData("Debug", LogLevel.Debug)]
    [InlineData("information", LogLevel.Information)]
    [InlineData("WARNING", LogLevel.Warning)]
    [InlineData("Error", LogLevel.Error)]
    public void LogLevel_MissingOrKnown_ReturnsLevel(string? value, LogLevel expected)
    {
        var reader = value is null ? Reader() : Reader(("LOG_LEVEL", value));

        Assert.Equal(expected, reader.LogLevel());
        Assert.Empty(reader.Problems);
    }

    [Fact]
    public void LogLevel_Unknown_RecordsProblemAndFallsBackToInformation()
    {
        var reader = Reader(("LOG_LEVEL", "Verbose"));

        Assert.Equal(LogLevel.Information, reader.LogLevel());
        Assert.Equal(["LOG_LEVEL must be Debug, Information, Warning or Error, got 'Verbose'."], reader.Problems);
    }

    [Fact]
    public void ThrowIfInvalid_SeveralProblems_ThrowsOnceNamingEverySetting()
    {
        var reader = Reader(("MAX_RECEIVE_COUNT", "many"), ("LOG_LEVEL", "Loud"), ("WAYLAY_DATA_URL", "nowhere"));
        reader.RequiredUrl("WAYLAY_DATA_URL");
        reader.Required("WAYLAY_CREDENTIALS_PARAMETER");
        reader.Required("DEAD_LETTER_QUEUE_URL");
        reader.RequiredInt("MAX_RECEIVE_COUNT", 1, 1000);
        reader.LogLevel();

        var error = Assert.Throws<SettingsException>(reader.ThrowIfInvalid);

        Assert.Equal(5, error.Problems.Count);
        foreach (var name in new[] { "WAYLAY_DATA_URL", "WAYLAY_CREDENTIALS_PARAMETER", "DEAD_LETTER_QUEUE_URL", "MAX_RECEIVE_COUNT", "LOG_LEVEL" })
        {
            Assert.Contains(name, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ThrowIfInvalid_SameSettingReadTwice_ReportsItOnce()
    {
        var reader = Reader(("LOG_LEVEL", "Loud"));
        reader.LogLevel();
        reader.LogLevel();
        reader.Required("X");
        reader.Required("X");

        var error = Assert.Throws<SettingsException>(reader.ThrowIfInvalid);

        Assert.Equal(2, error.Problems.Count);
    }

    [Fact]
    public void ThrowIfInvalid_NoProblems_DoesNotThrow()
    {
        var reader = Reader(("A", "1"));
        reader.Required("A");
        reader.Int("B", 3, 1, 5);

        Assert.Null(Record.Exception(reader.ThrowIfInvalid));
    }

    [Fact]
    public void AddProblem_OwnCheck_IsReportedWithTheOthers()
    {
        var reader = Reader(("COMMAND_TTL_DEFAULT_SECONDS", "600"), ("COMMAND_TTL_MAX_SECONDS", "60"));
        reader.Required("COMMAND_QUEUE_URL");
        reader.AddProblem("COMMAND_TTL_DEFAULT_SECONDS (600) must not exceed COMMAND_TTL_MAX_SECONDS (60).");

        var error = Assert.Throws<SettingsException>(reader.ThrowIfInvalid);

        Assert.Equal(2, error.Problems.Count);
        Assert.Contains("COMMAND_TTL_MAX_SECONDS", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProcessEnvironment_Read_SeesTheProcessVariables()
    {
        var variables = Queueing.Contracts.Settings.ProcessEnvironment.Read();

        Assert.Equal(Environment.GetEnvironmentVariable("PATH"), variables["PATH"]);
    }
}
