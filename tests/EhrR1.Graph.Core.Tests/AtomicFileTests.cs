using System.Text;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Core.Tests;

public sealed class AtomicFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Should_ShowNothingAtTheTargetWhileWriting_When_TheFileIsNew()
    {
        // Given
        var target = _dir.Combine("sub", "out.jsonl");

        // When
        AtomicFile.Write(target, stream =>
        {
            stream.Write("{\"a\":1}\n"u8);
            stream.Flush();

            // Then the content lies in the temporary file beside the target, and the target does not exist yet
            File.Exists(target).Should().BeFalse();
            File.Exists(AtomicFile.TempPathFor(Path.GetFullPath(target))).Should().BeTrue();
        });

        File.ReadAllText(target).Should().Be("{\"a\":1}\n");
        Directory.GetFiles(_dir.Combine("sub")).Should().Equal(target);
    }

    [Fact]
    public void Should_KeepTheOldFileAndRemoveTheTemporaryOne_When_TheWriterThrows()
    {
        // Given an existing complete file
        var target = _dir.Combine("out.txt");
        File.WriteAllText(target, "old");

        // When the writer fails half-way
        var act = () => AtomicFile.Write(target, stream =>
        {
            stream.Write("new, cut"u8);
            throw new InvalidOperationException("boom");
        });

        // Then the old file is intact and nothing else is left beside it
        act.Should().Throw<InvalidOperationException>();
        File.ReadAllText(target).Should().Be("old");
        Directory.GetFiles(_dir.Path).Should().Equal(target);
    }

    [Fact]
    public async Task Should_KeepTheOldFileAndRemoveTheTemporaryOne_When_TheAsyncWriterIsCancelled()
    {
        var target = _dir.Combine("out.txt");
        File.WriteAllText(target, "old");
        using var cts = new CancellationTokenSource();

        var act = () => AtomicFile.WriteAsync(target, async (stream, ct) =>
        {
            await stream.WriteAsync("new, cut"u8.ToArray(), ct);
            await cts.CancelAsync();
            ct.ThrowIfCancellationRequested();
        }, cts.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        File.ReadAllText(target).Should().Be("old");
        Directory.GetFiles(_dir.Path).Should().Equal(target);
    }

    [Fact]
    public async Task Should_ReplaceTheExistingFileWhole_When_TheWriteCompletes()
    {
        // Given a longer existing file
        var target = _dir.Combine("out.txt");
        File.WriteAllText(target, "an older and longer content");

        // When
        await AtomicFile.WriteAsync(target, (stream, ct) => stream.WriteAsync("new"u8.ToArray(), ct).AsTask(), CancellationToken.None);

        // Then no byte of the old content remains, and no temporary file
        File.ReadAllText(target).Should().Be("new");
        Directory.GetFiles(_dir.Path).Should().Equal(target);
    }

    [Fact]
    public void Should_WriteUtf8WithoutBom_When_WritingText()
    {
        var target = _dir.Combine("out.md");
        AtomicFile.WriteAllText(target, "é\n");
        File.ReadAllBytes(target).Should().Equal(Encoding.UTF8.GetBytes("é\n"));
    }

    [Fact]
    public void Should_PutTheTemporaryFileBesideTheTarget_When_AskedForItsName()
    {
        var target = _dir.Combine("model.safetensors");
        var temp = AtomicFile.TempPathFor(target);
        Path.GetDirectoryName(temp).Should().Be(_dir.Path);
        temp.Should().StartWith(target + ".tmp-");
    }
}
