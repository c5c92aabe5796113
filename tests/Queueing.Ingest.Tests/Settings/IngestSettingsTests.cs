using Queueing.Ingest.Settings;
using Queueing.Ingest.Telemetry;
using Queueing.Shared.Settings;

namespace Queueing.Ingest.Tests.Settings;

public sealed class IngestSettingsTests
{
    private static Dictionary<string, string> Valid() => new()
    {
        ["WAYLAY_DATA_URL"] = "https://api.waylay.io",
        ["WAYLAY_CREDENTIALS_PARAMETER"] = "/queueing/waylay-credentials",
        ["DEAD_LETTER_QUEUE_URL"] = "https://sqs.us-east-1.amazonaws.com/123456789012/IngestDLQ",
        ["MAX_RECEIVE_COUNT"] = "5",
    };

    [Fact]
    public void Read_RequiredOnly_UsesDocumentedDefaults()
    {
        var settings = IngestSettings.Read(new SettingsReader(Valid()));

        Assert.Equal(new Uri("https://api.waylay.io"), settings.WaylayDataUrl);
        Assert.Equal("/queueing/waylay-credentials", settings.CredentialsParameter);
        Assert.Equal("https://sqs.us-east-1.amazonaws.com/123456789012/IngestDLQ", settings.DeadLetterQueueUrl);
        Assert.Equal(5, settings.MaxReceiveCount);
        Assert.Equal(TimeSpan.FromMilliseconds(5000), settings.WaylayRequestTimeout);
        Assert.Equal(131072, settings.MaxTelemetryBytes);
        Assert.Equal(TelemetryFormat.Flat, settings.TelemetryFormat);
    }

    [Theory]
    [InlineData("flat", TelemetryFormat.Flat)]
    [InlineData("envelope", TelemetryFormat.Envelope)]
    public void Read_TelemetryFormat_IsTaken(string value, TelemetryFormat expected)
    {
        var variables = Valid();
        variables["TELEMETRY_FORMAT"] = value;

        Assert.Equal(expected, IngestSettings.Read(new SettingsReader(variables)).TelemetryFormat);
    }

    [Theory]
    [InlineData("Envelope")]
    [InlineData("json")]
    public void Read_UnknownTelemetryFormat_IsAnInitErrorNamingTheChoices(string value)
    {
        var variables = Valid();
        variables["TELEMETRY_FORMAT"] = value;

        var ex = Assert.Throws<SettingsException>(() => IngestSettings.Read(new SettingsReader(variables)));

        Assert.Equal($"TELEMETRY_FORMAT must be flat or envelope, got '{value}'.", Assert.Single(ex.Problems));
    }

    [Fact]
    public void Read_Optionals_AreTaken()
    {
        var variables = Valid();
        variables["WAYLAY_REQUEST_TIMEOUT_MS"] = "2500";
        variables["MAX_TELEMETRY_BYTES"] = "65536";

        var settings = IngestSettings.Read(new SettingsReader(variables));

        Assert.Equal(TimeSpan.FromMilliseconds(2500), settings.WaylayRequestTimeout);
        Assert.Equal(65536, settings.MaxTelemetryBytes);
    }

    [Fact]
    public void Read_NothingSet_NamesEveryMissingSettingAtOnce()
    {
        var ex = Assert.Throws<SettingsException>(() => IngestSettings.Read(new SettingsReader(new Dictionary<string, string>())));

        Assert.Equal(4, ex.Problems.Count);
        foreach (var name in new[] { "WAYLAY_DATA_URL", "WAYLAY_CREDENTIALS_PARAMETER", "DEAD_LETTER_QUEUE_URL", "MAX_RECEIVE_COUNT" })
        {
            Assert.Contains(ex.Problems, p => p.StartsWith(name, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("WAYLAY_DATA_URL", "ftp://waylay")]
    [InlineData("WAYLAY_DATA_URL", "not a url")]
    [InlineData("MAX_RECEIVE_COUNT", "0")]
    [InlineData("MAX_RECEIVE_COUNT", "1001")]
    [InlineData("MAX_RECEIVE_COUNT", "three")]
    [InlineData("WAYLAY_REQUEST_TIMEOUT_MS", "5")]
    [InlineData("MAX_TELEMETRY_BYTES", "2000000")]
    public void Read_InvalidValue_IsReportedWithItsName(string name, string value)
    {
        var variables = Valid();
        variables[name] = value;

        var ex = Assert.Throws<SettingsException>(() => IngestSettings.Read(new SettingsReader(variables)));

        Assert.Contains(ex.Problems, p => p.StartsWith(name, StringComparison.Ordinal) && p.Contains(value, StringComparison.Ordinal));
    }
}
