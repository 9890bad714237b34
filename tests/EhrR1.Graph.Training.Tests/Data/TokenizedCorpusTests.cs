using EhrR1.Graph.TestSupport;
using EhrR1.Graph.Training.Data;
using EhrR1.Graph.Training.Tests.Support;

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
        using var corpus = TokenizedCorpus.Open(data, encoder, SharedTokenizer.Folder, dir.Combine("cache"), CancellationToken.None);

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
        using (var corpus = TokenizedCorpus.Open(data, encoder, SharedTokenizer.Folder, dir.Combine("cache"), CancellationToken.None))
        {
            first = corpus.Path;
        }

        using (var again = TokenizedCorpus.Open(data, encoder, SharedTokenizer.Folder, dir.Combine("cache"), CancellationToken.None))
        {
            again.Reused.Should().BeTrue();
            again.Path.Should().Be(first);
        }

        // Another max length, or another corpus content, is another cache.
        var shorter = new SftEncoder(SharedTokenizer.Tokenizer, 128, TruncationMode.HeadAndTail, 32);
        using (var other = TokenizedCorpus.Open(data, shorter, SharedTokenizer.Folder, dir.Combine("cache"), CancellationToken.None))
        {
            other.Reused.Should().BeFalse();
            other.Path.Should().NotBe(first);
        }

        File.AppendAllText(data, File.ReadLines(data).First() + "\n");
        using var changed = TokenizedCorpus.Open(data, encoder, SharedTokenizer.Folder, dir.Combine("cache"), CancellationToken.None);
        changed.Reused.Should().BeFalse();
        changed.Count.Should().Be(13);
        Directory.GetFiles(dir.Combine("cache")).Should().HaveCount(3, "no temporary file is left behind");
    }

    [RequiresTokenizerFact]
    public void Should_TokenizeAfresh_When_TheCacheFileIsDamaged()
    {
        using var dir = new TempDirectory();
        var data = TinyCorpus.Write(dir.Combine("train.jsonl"), 6, seed: 9);
        var encoder = new SftEncoder(SharedTokenizer.Tokenizer, 256, TruncationMode.HeadAndTail, 32);
        string path;
        using (var corpus = TokenizedCorpus.Open(data, encoder, SharedTokenizer.Folder, dir.Combine("cache"), CancellationToken.None))
        {
            path = corpus.Path;
        }

        using (var stream = new FileStream(path, FileMode.Open))
        {
            stream.SetLength(stream.Length - 4);
        }

        using var rebuilt = TokenizedCorpus.Open(data, encoder, SharedTokenizer.Folder, dir.Combine("cache"), CancellationToken.None);
        rebuilt.Reused.Should().BeFalse();
        rebuilt.Count.Should().Be(6);
    }
}
