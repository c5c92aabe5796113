using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Queueing.Contracts.Events;

namespace Queueing.Local.Events;

/// <summary>
/// <c>md5OfMessageAttributes</c> as SQS computes it: over the attributes sorted by name, each encoded as
/// length-prefixed name, length-prefixed data type, a transport byte (1 string, 2 binary) and the length-prefixed value.
/// </summary>
internal static class SqsMessageAttributesMd5
{
    public static string? Compute(IReadOnlyDictionary<string, SqsMessageAttribute> attributes)
    {
        if (attributes.Count == 0)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        foreach (var (name, attribute) in attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            Write(buffer, Encoding.UTF8.GetBytes(name));
            Write(buffer, Encoding.UTF8.GetBytes(attribute.DataType));
            if (attribute.BinaryValue is { } binary)
            {
                buffer.WriteByte(2);
                Write(buffer, binary);
            }
            else
            {
                buffer.WriteByte(1);
                Write(buffer, Encoding.UTF8.GetBytes(attribute.StringValue ?? string.Empty));
            }
        }

        return Convert.ToHexStringLower(MD5.HashData(buffer.ToArray()));
    }

    private static void Write(MemoryStream buffer, byte[] value)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, value.Length);
        buffer.Write(length);
        buffer.Write(value);
    }
}
