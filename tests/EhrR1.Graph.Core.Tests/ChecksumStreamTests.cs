using System.IO.Hashing;
using EhrR1.Graph.Core.IO;

namespace EhrR1.Graph.Core.Tests;

public sealed class ChecksumStreamTests
{
    private static readonly byte[] Data = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 31 + (i >> 7))).ToArray();

    [Fact]
    public void Should_HashEveryWrittenByte_When_WritesMixSmallAndLarge()
    {
        using var target = new MemoryStream();
        ulong checksum;
        using (var hashed = new ChecksumStream(target))
        {
            var pos = 0;
            foreach (var size in new[] { 1, 7, 100_000, 3, 65_536, 1, 0, 50_000 })
            {
                if (size == 1)
                {
                    hashed.WriteByte(Data[pos]);
                }
                else
                {
                    hashed.Write(Data, pos, size);
                }

                pos += size;
            }

            hashed.Write(Data.AsSpan(pos));
            checksum = hashed.Checksum;
            hashed.BytesHashed.Should().Be(Data.Length);
        }

        target.ToArray().Should().Equal(Data);
        checksum.Should().Be(XxHash64.HashToUInt64(Data));
    }

    [Fact]
    public void Should_HashOnlyTheConsumedBytes_When_ReadingAhead()
    {
        using var source = new MemoryStream(Data);
        using var hashed = new ChecksumStream(source);
        var consumed = 0;
        var buffer = new byte[120_000];
        foreach (var size in new[] { 1, 5, 70_000, 1, 100_000, 9 })
        {
            if (size == 1)
            {
                hashed.ReadByte().Should().Be(Data[consumed]);
            }
            else
            {
                hashed.ReadExactly(buffer, 0, size);
                buffer.AsSpan(0, size).SequenceEqual(Data.AsSpan(consumed, size)).Should().BeTrue();
            }

            consumed += size;
            hashed.Checksum.Should().Be(XxHash64.HashToUInt64(Data.AsSpan(0, consumed)));
        }

        var rest = new byte[Data.Length];
        var n = 0;
        int read;
        while ((read = hashed.Read(rest, n, rest.Length - n)) > 0)
        {
            n += read;
        }

        (consumed + n).Should().Be(Data.Length);
        hashed.ReadByte().Should().Be(-1);
        hashed.Checksum.Should().Be(XxHash64.HashToUInt64(Data));
    }
}
