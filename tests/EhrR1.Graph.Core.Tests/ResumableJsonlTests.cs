using System.Diagnostics;
using System.Text;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Core.Tests;

public sealed class ResumableJsonlTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Should_CutTheTornTailAndKeepEveryCompleteKey_When_TheLastLineHasNoNewline()
    {
        // Given
        var path = Write("{\"sample_id\":\"a\",\"x\":[1,{\"sample_id\":\"nested\"}]}\n\n{\"sample_id\":\"b\"}\n{\"sample_id\":\"c\",\"te");
        var keys = new List<string>();

        // When
        var r = ResumableJsonl.Recover(path, Keys(keys));

        // Then
        keys.Should().Equal("a", "b");
        r.Lines.Should().Be(2);
        r.TruncatedBytes.Should().Be(Encoding.UTF8.GetByteCount("{\"sample_id\":\"c\",\"te"));
        File.ReadAllText(path).Should().EndWith("{\"sample_id\":\"b\"}\n");
    }

    [Fact]
    public void Should_CutACompleteLastLineThatIsNotAnObject_When_ItIsTheLastLine()
    {
        var path = Write("{\"sample_id\":\"a\"}\n{\"sample_id\":\"b\"\n");
        var r = ResumableJsonl.Recover(path, Keys([]));
        r.TruncatedBytes.Should().Be(17);
        File.ReadAllText(path).Should().Be("{\"sample_id\":\"a\"}\n");
    }

    [Fact]
    public void Should_LeaveTheFileAlone_When_ItEndsCleanly()
    {
        var text = "{\"sample_id\":\"a\"}\n{\"sample_id\":\"b\"}\n";
        var path = Write(text);
        ResumableJsonl.Recover(path, Keys([])).TruncatedBytes.Should().Be(0);
        File.ReadAllText(path).Should().Be(text);
        ResumableJsonl.Recover(_dir.Combine("absent.jsonl")).Should().Be(new JsonlRecovery(0, 0, 0));
    }

    [Fact]
    public void Should_FailNamingTheLine_When_ADamagedLineIsFollowedByMore()
    {
        var path = Write("{\"sample_id\":\"a\"}\nnot json\n{\"sample_id\":\"b\"}\n");
        var act = () => ResumableJsonl.Recover(path, Keys([]) with { ErrorCode = "EHR-T-1" });
        var ex = act.Should().Throw<InputDataException>().Which;
        ex.LineNumber.Should().Be(2);
        ex.Code.Should().Be("EHR-T-1");
        ex.Message.Should().Contain(path).And.Contain(":2");
        File.ReadAllText(path).Should().EndWith("{\"sample_id\":\"b\"}\n", "a damaged file is never truncated");
    }

    [Fact]
    public void Should_FailNamingTheLine_When_AMiddleLineIsNotUtf8()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"sample_id\":\"a\"}\n{\"sample_id\":\"b\",\"t\":\"X\"}\n{\"sample_id\":\"c\"}\n");
        var x = Array.IndexOf(bytes, (byte)'X');
        bytes[x] = 0xC3; // a lead byte without its continuation
        var path = _dir.Combine("bad.jsonl");
        File.WriteAllBytes(path, bytes);

        var ex = FluentActions.Invoking(() => ResumableJsonl.Recover(path, Keys([]))).Should().Throw<InputDataException>().Which;
        ex.LineNumber.Should().Be(2);
        ex.Message.Should().Contain("UTF-8");
    }

    [Fact]
    public void Should_CutALastLineThatIsNotUtf8()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"sample_id\":\"a\"}\n{\"sample_id\":\"b\",\"t\":\"X\"}\n");
        bytes[Array.IndexOf(bytes, (byte)'X')] = 0xFF;
        var path = _dir.Combine("tail.jsonl");
        File.WriteAllBytes(path, bytes);
        var keys = new List<string>();
        ResumableJsonl.Recover(path, Keys(keys)).Lines.Should().Be(1);
        keys.Should().Equal("a");
        File.ReadAllText(path).Should().Be("{\"sample_id\":\"a\"}\n");
    }

    [Fact]
    public void Should_CountOrReject_When_AKeyRepeats()
    {
        var path = Write("{\"sample_id\":\"a\"}\n{\"sample_id\":\"b\"}\n{\"sample_id\":\"a\"}\n");
        var set = new HashSet<string>(StringComparer.Ordinal);
        ResumableJsonl.Recover(path, new JsonlRecoveryOptions { KeyProperty = "sample_id", AddKey = set.Add }).DuplicateLines.Should().Be(1);

        set.Clear();
        var ex = FluentActions.Invoking(() => ResumableJsonl.Recover(path, new JsonlRecoveryOptions { KeyProperty = "sample_id", AddKey = set.Add, DuplicateKeyIsError = true }))
            .Should().Throw<InputDataException>().Which;
        ex.LineNumber.Should().Be(3);
        ex.Field.Should().Be("sample_id");
    }

    [Fact]
    public void Should_RequireTheKey_When_OneIsAskedFor()
    {
        var path = Write("{\"id\":\"a\"}\n{\"sample_id\":\"b\"}\n");
        var ex = FluentActions.Invoking(() => ResumableJsonl.Recover(path, Keys([]))).Should().Throw<InputDataException>().Which;
        ex.LineNumber.Should().Be(1);
        ex.Message.Should().Contain("sample_id");
    }

    [Fact]
    public void Should_RecoverEveryWrittenRecord_When_TheWriterIsKilledMidWrite()
    {
        // Given a real process that writes each record in two halves and is killed (SIGKILL) while writing
        var path = _dir.Combine("killed.jsonl");
        var script = "i=0; while :; do printf '{\"sample_id\":\"k%d\",' $i >> \"$1\"; sleep 0.002; printf '\"v\":%d}\\n' $i >> \"$1\"; i=$((i+1)); done";
        var psi = new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", script, "writer", path } };
        using (var p = Process.Start(psi)!)
        {
            var deadline = Stopwatch.StartNew();
            while ((!File.Exists(path) || new FileInfo(path).Length < 2000) && deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                Thread.Sleep(5);
            }

            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }

        // When recovered and resumed from the next key
        var keys = new List<string>();
        var r = ResumableJsonl.Recover(path, Keys(keys));
        File.AppendAllText(path, "{\"sample_id\":\"k" + keys.Count + "\",\"v\":" + keys.Count + "}\n");

        // Then every complete record survives, in order, and the resumed file is whole
        keys.Should().HaveCountGreaterThan(10);
        keys.Should().Equal(Enumerable.Range(0, keys.Count).Select(i => "k" + i));
        r.Lines.Should().Be(keys.Count);
        var again = new List<string>();
        ResumableJsonl.Recover(path, Keys(again)).TruncatedBytes.Should().Be(0);
        again.Should().Equal(Enumerable.Range(0, keys.Count + 1).Select(i => "k" + i));
    }

    private static JsonlRecoveryOptions Keys(List<string> keys) => new()
    {
        KeyProperty = "sample_id",
        AddKey = k =>
        {
            keys.Add(k);
            return true;
        },
    };

    private string Write(string text)
    {
        var path = _dir.Combine(Guid.NewGuid().ToString("N") + ".jsonl");
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }
}
