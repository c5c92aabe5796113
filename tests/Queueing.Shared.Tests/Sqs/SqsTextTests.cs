using Queueing.Contracts.Sqs;

namespace Queueing.Shared.Tests.Sqs;

public sealed class SqsTextTests
{
    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("tab\tnewline\ncr\r", "tab\tnewline\ncr\r")]
    [InlineData("nul\u0000bell\u0007", "nul\uFFFDbell\uFFFD")]
    [InlineData("pair 🚀 ok", "pair 🚀 ok")]
    [InlineData("nonchar \uFFFE", "nonchar \uFFFD")]
    public void Clean_Value_ReplacesOnlyCharactersSqsRejects(string value, string expected)
    {
        Assert.Equal(expected, SqsText.Clean(value));
    }

    [Fact]
    public void Clean_LoneSurrogates_AreReplaced()
    {
        // Not theory data: xunit's serialisation of test cases would already replace them.
        Assert.Equal("lone \uFFFD low \uFFFD end \uFFFD", SqsText.Clean("lone \uDC00 low \uD800 end \uD83D"));
    }

    [Theory]
    [InlineData("abcdef", 6, "abcdef")]
    [InlineData("abcdefg", 6, "abcde…")]
    public void Cut_Value_KeepsWhatFitsAndMarksTheCut(string value, int maxLength, string expected)
    {
        Assert.Equal(expected, SqsText.Cut(value, maxLength));
    }

    [Fact]
    public void Cut_PairAcrossTheCut_DropsTheWholePair()
    {
        var cut = SqsText.Cut("abc🚀def", 5);

        Assert.Equal("abc…", cut);
        Assert.Equal(cut, SqsText.Clean(cut));
    }
}
