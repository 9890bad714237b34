using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.TestSupport;
using EhrR1.Graph.Training.Data;
using EhrR1.Graph.Training.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Training.Tests.Data;

public sealed class TokenizedCorpusTests
{
    [RequiresTokenizerFact]
    public void Should_HoldExactlyTheEncodedExamples_When_ReadThroughTheCache()
    {
        // Given: a corpus where some records are cut and some dropped at this length
        using var dir = new TempDirectory();
        var data = TinyCorpus.Write(dir.Combine("train.jsonl"), 40, seed: 5, labRows: 30);
        var encoder = new SftEncoder(SharedTokenizer.Tokenizer, 200, TruncationMode.HeadAndTail, 32);
        var expected = EhrInsCorpus.Encode(data, encoder, CancellationToken.None).ToList();

        // When
        using var corpus = TokenizedCorpus.Open(data, encoder, SharedTokenizer.Folder, dir.Combine("cache"), NullLogger.Instance, CancellationToken.None);

        // Then: same ids, prompt lengths, lengths and counts, in the same order, as the in-memory encoding
        var kept = expected.Where(e => e is not null).Select(e => e!).ToList();
        corpus.Reused.Should().BeFalse();
        corpus.Count.Should().Be(kept.Count);
        corpus.Dropped.Should().Be(expected.Count(e => e is null));
        corpus.Truncated.Should().Be(kept.Count(e => e.Truncated)).And.BeGreaterThan(0);
        for (var i = 0; i < kept.Count; i++)
        {
            corpus.Tokens(i).Should().Equal(kept[i].InputIds);
            corpus.PromptLength(i).Should().Be(kept[i].PromptLength);
            corpus.Lengths[i].Should().Be(kept[i].Length);
            corpus.CompletionTokens(i).Should().Be(kept[i].CompletionTokens);
        }
    }

    [RequiresTokenizerFact]
    public void Should_ReuseTheCache_When_CorpusAndSettingsAreUnchanged()
    {
        using var dir = new TempDirectory();
        var data = TinyCorpus.Write(dir.Combine("train.jsonl"), 12, seed: 3);
        var encoder = new SftEncoder(SharedTokenizer.Tokenizer, 256, TruncationMode.HeadAndTail, 32);
        string first;
        using (var corpus = TokenizedCorpus.Open(data, encoder, SharedTokenizer.Folder, dir.Combine("cache"), NullLogger.Instance, CancellationToken.None))
        {
            first = corpus.Path;
        }

        using (var again = TokenizedCorpus.Open(data, encoder, SharedTokenizer.Folder, dir.Combine("cache"), NullLogger.Instance, CancellationToken.None))
        {
            again.Reused.Should().BeTrue();
            again.Path.Should().Be(first);
        }

        // Another max length, or another corpus content, is another cache.
        var shorter = new SftEncoder(SharedTokenizer.Tokenizer, 128, TruncationMode.HeadAndTail, 32);
        using (var other = TokenizedCorpus.Open(data, shorter, SharedTokenizer.Folder, dir.Combine("cache"), NullLogger.Instance, CancellationToken.None))
        {
            other.Reused.Should().BeFalse();
            other.Path.Should().NotBe(first);
        }

        File.AppendAllText(data, File.ReadLines(data).First() + "\n");
        using var changed = TokenizedCorpus.Open(data, encoder, SharedTokenizer.Folder, dir.Combine("cache"), NullLogger.Instance, CancellationToken.None);
        changed.Reused.Should().BeFalse();
        changed.Count.Should().Be(13);
        Directory.GetFiles(dir.Combine("cache")).Should().HaveCount(3, "no temporary file is left behind");
    }

    [RequiresTokenizerFact]
    public void Should_ReportTheFileToDelete_When_TheCacheIsCutShort()
    {
        // Given
        using var dir = new TempDirectory();
        var (data, encoder, path) = BuildCache(dir);
        using (var stream = new FileStream(path, FileMode.Open))
        {
            stream.SetLength(stream.Length - 4);
        }

        // When
        var act = () => TokenizedCorpus.Open(data, encoder, SharedTokenizer.Folder, dir.Combine("cache"), NullLogger.Instance, CancellationToken.None);

        // Then
        var ex = act.Should().Throw<InputDataException>().Which;
        ex.Code.Should().Be("EHR-TRN-050");
        ex.ExitCode.Should().Be(ExitCodes.BadInput);
        ex.File.Should().Be(path);
        ex.Message.Should().Contain("cut short").And.EndWith("Delete this file and rerun: train tokenizes the training data into it afresh.");
    }

    [RequiresTokenizerTheory]
    [InlineData(20, "header fails its XxHash64 checksum")]
    [InlineData(-10, "fail their XxHash64 checksum")]
    [InlineData(100, "fail their XxHash64 checksum")]
    public void Should_ReportTheFileToDelete_When_AByteOfTheCacheIsFlipped(int at, string problem)
    {
        // Given: one byte flipped in the header, in the prompt lengths at the end, or in the token ids
        using var dir = new TempDirectory();
        var (data, encoder, path) = BuildCache(dir);
        var bytes = File.ReadAllBytes(path);
        bytes[at >= 0 ? at : bytes.Length + at] ^= 0x10;
        File.WriteAllBytes(path, bytes);

        // When
        var act = () => TokenizedCorpus.Open(data, encoder, SharedTokenizer.Folder, dir.Combine("cache"), NullLogger.Instance, CancellationToken.None);

        // Then
        var ex = act.Should().Throw<InputDataException>().Which;
        ex.Code.Should().Be("EHR-TRN-050");
        ex.File.Should().Be(path);
        ex.Message.Should().Contain(problem);
    }

    [RequiresTokenizerFact]
    public void Should_TokenizeAfreshWithALogLine_When_TheCacheIsOfTheOlderFormat()
    {
        // Given: a cache that says it is format 1 (before checksums)
        using var dir = new TempDirectory();
        var (data, encoder, path) = BuildCache(dir);
        var bytes = File.ReadAllBytes(path);
        "EHRTOK01"u8.CopyTo(bytes);
        File.WriteAllBytes(path, bytes);
        var logger = new ListLogger();

        // When
        using var rebuilt = TokenizedCorpus.Open(data, encoder, SharedTokenizer.Folder, dir.Combine("cache"), logger, CancellationToken.None);

        // Then
        rebuilt.Reused.Should().BeFalse();
        rebuilt.Count.Should().Be(6);
        logger.Messages.Should().ContainSingle().Which.Should().Be($"Token cache {path} is of format 1, before checksums (now 2); tokenizing afresh.");
        using var again = TokenizedCorpus.Open(data, encoder, SharedTokenizer.Folder, dir.Combine("cache"), logger, CancellationToken.None);
        again.Reused.Should().BeTrue();
    }

    private static (string Data, SftEncoder Encoder, string Path) BuildCache(TempDirectory dir)
    {
        var data = TinyCorpus.Write(dir.Combine("train.jsonl"), 6, seed: 9);
        var encoder = new SftEncoder(SharedTokenizer.Tokenizer, 256, TruncationMode.HeadAndTail, 32);
        using var corpus = TokenizedCorpus.Open(data, encoder, SharedTokenizer.Folder, dir.Combine("cache"), NullLogger.Instance, CancellationToken.None);
        return (data, encoder, corpus.Path);
    }
}
