using Amazon.SQS.Model;
using Queueing.Contracts.Sqs;

namespace Queueing.Shared.Tests.Sqs;

public sealed class SqsMessageAttributesTests
{
    [Fact]
    public void FromSdkThenToSdk_BinaryAndStringValues_SurviveByteForByte()
    {
        var binary = new MessageAttributeValue { DataType = "Binary.trace", BinaryValue = new MemoryStream([0, 1, 254, 255]) };
        var text = new MessageAttributeValue { DataType = "String", StringValue = "café ✓" };

        var binaryBack = SqsMessageAttributes.ToSdk(SqsMessageAttributes.FromSdk(binary));
        var textBack = SqsMessageAttributes.ToSdk(SqsMessageAttributes.FromSdk(text));

        Assert.Equal("Binary.trace", binaryBack.DataType);
        Assert.Equal(new byte[] { 0, 1, 254, 255 }, binaryBack.BinaryValue.ToArray());
        Assert.Null(binaryBack.StringValue);
        Assert.Equal("café ✓", textBack.StringValue);
        Assert.Null(textBack.BinaryValue);
    }

    [Fact]
    public void Number_Value_IsANumberAttributeInInvariantDigits()
    {
        var value = SqsMessageAttributes.Number(-1234567);

        Assert.Equal("Number", value.DataType);
        Assert.Equal("-1234567", value.StringValue);
    }
}
