using System.IO.Compression;
using EhrR1.Graph.Cli.Hosting;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Cli.Tests;

/// <summary>
/// Issue 21, "fail loudly, never silently": real demo files damaged in temporary copies must end the run with exit
/// code 1 and one message that names the file and the fault, never with a quietly shorter output.
/// </summary>
public sealed class FaultInjectionTests : IDisposable
{
    private const string Table = "hosp/admissions.csv.gz";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "ehr-faults-" + Guid.NewGuid().ToString("N"));

    public FaultInjectionTests()
    {
        Directory.CreateDirectory(_root);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Gzip_cut_mid_stream_is_reported_as_truncated_with_exit_code_1()
    {
        var mimic = CopyDemo();
        var file = Path.Combine(mimic, Table);
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..(bytes.Length / 2)]);

        var (code, _, stderr) = await Ingest(mimic);

        code.Should().Be(1, stderr);
        stderr.Should().Contain("admissions.csv.gz").And.Contain($"truncated at byte {bytes.Length / 2}").And.Contain("Re-download");
    }

    [Fact]
    public async Task Gzip_cut_inside_the_csv_header_is_truncation_not_missing_columns()
    {
        var mimic = CopyDemo();
        var file = Path.Combine(mimic, Table);
        File.WriteAllBytes(file, File.ReadAllBytes(file)[..40]);

        var (code, _, stderr) = await Ingest(mimic);

        code.Should().Be(1, stderr);
        stderr.Should().Contain("truncated at byte 40").And.NotContain("lacks required column");
    }

    [Fact]
    public async Task Gzip_cut_on_a_line_boundary_before_its_trailer_is_truncated()
    {
        // The first half of the lines, compressed completely, then the 8-byte trailer cut off: the CSV text ends on a
        // line boundary, so only the missing trailer shows the damage.
        var mimic = CopyDemo();
        var file = Path.Combine(mimic, Table);
        var lines = ReadLines(file);
        var compressed = Compress(string.Concat(lines.Take(lines.Count / 2)));
        File.WriteAllBytes(file, compressed[..^8]);

        var (code, _, stderr) = await Ingest(mimic);

        code.Should().Be(1, stderr);
        stderr.Should().Contain("admissions.csv.gz").And.Contain($"truncated at byte {compressed.Length - 8}");
    }

    [Fact]
    public async Task Gzip_with_a_flipped_crc_byte_is_reported_as_corrupt()
    {
        var mimic = CopyDemo();
        var file = Path.Combine(mimic, Table);
        var bytes = File.ReadAllBytes(file);
        bytes[^6] ^= 0xff; // inside the trailer's CRC-32
        File.WriteAllBytes(file, bytes);

        var (code, _, stderr) = await Ingest(mimic);

        code.Should().Be(1, stderr);
        stderr.Should().Contain("admissions.csv.gz").And.Contain("corrupt");
    }

    [Fact]
    public async Task Gzip_with_a_flipped_data_byte_is_reported_as_corrupt()
    {
        var mimic = CopyDemo();
        var file = Path.Combine(mimic, Table);
        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0xff;
        File.WriteAllBytes(file, bytes);

        var (code, _, stderr) = await Ingest(mimic);

        code.Should().Be(1, stderr);
        stderr.Should().Contain("admissions.csv.gz").And.Contain("corrupt");
    }

    [Fact]
    public void Multi_member_gzip_reads_completely_and_a_cut_last_member_is_truncated()
    {
        var text = string.Concat(ReadLines(Path.Combine(TestPaths.Dataset("mimic-iv-demo-2.2"), Table)));
        var half = text.Length / 2;
        var multi = Path.Combine(_root, "multi.csv.gz");
        File.WriteAllBytes(multi, [.. Compress(text[..half]), .. Compress(text[half..])]);

        using (var reader = new StreamReader(VerifiedGzipStream.Open(multi, "multi.csv.gz")))
        {
            reader.ReadToEnd().Should().Be(text);
        }

        File.WriteAllBytes(multi, File.ReadAllBytes(multi)[..^3]);
        var read = () =>
        {
            using var reader = new StreamReader(VerifiedGzipStream.Open(multi, "multi.csv.gz"));
            return reader.ReadToEnd();
        };
        read.Should().Throw<EhrR1.Graph.Core.Errors.InputDataException>().WithMessage("*multi.csv.gz*truncated at byte*");
    }

    [Fact]
    public async Task Out_below_a_regular_file_is_exit_code_1_with_one_line_and_no_stack_trace()
    {
        var file = Path.Combine(_root, "a-file");
        File.WriteAllText(file, "x");

        var (code, _, stderr) = await CliRunner.Run("ingest", "--out", Path.Combine(file, "store"), "--quiet");

        code.Should().Be(1, stderr);
        stderr.Should().Contain("EHR-ENV-001").And.Contain("a-file").And.NotContain(" at ").And.NotContain("bug");
    }

    [Fact]
    public async Task Read_only_output_folder_is_exit_code_1_not_a_bug()
    {
        var folder = Path.Combine(_root, "read-only");
        Directory.CreateDirectory(folder);
        var target = Path.Combine(folder, "store");
        if (OperatingSystem.IsWindows())
        {
            new DirectoryInfo(folder).Attributes |= FileAttributes.ReadOnly;
        }
        else
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }

        if (CanWrite(folder))
        {
            // Running as root (or on a file system that ignores the mode): the mode blocks nothing, so inject the
            // other environment fault instead of skipping: the output folder's parent is a regular file.
            MakeWritable(folder);
            var file = Path.Combine(folder, "not-a-folder");
            File.WriteAllText(file, "x");
            target = Path.Combine(file, "store");
        }

        var (code, _, stderr) = await CliRunner.Run("ingest", "--out", target, "--quiet");
        MakeWritable(folder);

        code.Should().Be(1, stderr);
        stderr.Should().Contain("EHR-ENV-001").And.NotContain(" at ");
    }

    [Fact]
    public void Disk_full_and_port_in_use_are_environment_faults()
    {
        EnvironmentFaults.Describe(new IOException("No space left on device : 'x'", 28)).Should().StartWith("the disk is full");
        EnvironmentFaults.Describe(new InvalidOperationException("wrapped", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.AddressAlreadyInUse)))
            .Should().StartWith("the port is already in use");
        EnvironmentFaults.Describe(new InvalidOperationException("a real bug")).Should().BeNull();
        EnvironmentFaults.Describe(new FileNotFoundException("missing")).Should().BeNull();
    }

    private static void MakeWritable(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            new DirectoryInfo(folder).Attributes &= ~FileAttributes.ReadOnly;
        }
        else
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static bool CanWrite(string folder)
    {
        try
        {
            var probe = Path.Combine(folder, ".probe");
            File.WriteAllText(probe, "x");
            File.Delete(probe);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    [Fact]
    public async Task Ingest_removes_the_staging_folder_of_a_killed_run_but_not_of_a_live_one()
    {
        var store = Path.Combine(_root, "store");
        var dead = Path.Combine(_root, ".store.tmp-2147480000"); // above any pid_max: no such process
        var live = Path.Combine(_root, ".store.tmp-1");          // init: always running
        Directory.CreateDirectory(Path.Combine(dead, ".spill"));
        File.WriteAllText(Path.Combine(dead, ".spill", "run-0.bin"), "spill");
        Directory.CreateDirectory(live);

        var (code, _, stderr) = await CliRunner.Run("ingest", "--mimic", TestPaths.Dataset("mimic-iv-demo-2.2"), "--out", store);

        code.Should().Be(0, stderr);
        Directory.Exists(dead).Should().BeFalse();
        Directory.Exists(live).Should().BeTrue();
        stderr.Should().Contain(".store.tmp-2147480000").And.Contain("killed");
    }

    [Fact]
    public void Reason_with_every_sample_failed_is_a_failure_with_its_reason_counts()
    {
        var counts = new Dictionary<string, long> { ["completed"] = 0, ["failed"] = 3, ["already_done"] = 0, ["server_errors"] = 9, ["timeouts"] = 0 };
        EhrR1.Graph.Cli.Commands.ReasonModule.AllFailed(counts).Should().Be("failed 3, server_errors 9");
        EhrR1.Graph.Cli.Commands.ReasonModule.AllFailed(new Dictionary<string, long>(counts) { ["completed"] = 1 }).Should().BeNull();
        EhrR1.Graph.Cli.Commands.ReasonModule.AllFailed(new Dictionary<string, long>(counts) { ["failed"] = 0 }).Should().BeNull();
    }

    [Fact]
    public void Credentials_in_an_endpoint_url_are_redacted()
    {
        var options = new EhrR1.Graph.Reasoning.Endpoints.ChatEndpointOptions { Endpoint = new Uri("http://user:SECRET-KEY@example.invalid:8080/v1?key=SECRET-KEY") };

        options.ToString().Should().Contain("http://***@example.invalid:8080/v1").And.NotContain("SECRET-KEY").And.NotContain("user:");
    }

    [Fact]
    public async Task A_misspelt_task_name_is_an_error_listing_the_valid_names()
    {
        var valid = EhrR1.Graph.Tasks.Definitions.TaskCatalog.All[0].Name;

        var (code, _, stderr) = await CliRunner.Run("tasks", "index", "--store", _root, "--out", Path.Combine(_root, "index"), "--task", valid + "x");

        code.Should().Be(1, stderr);
        stderr.Should().Contain("unknown task name(s) " + valid + "x").And.Contain("Valid names: ").And.Contain(valid);
        EhrR1.Graph.Cli.Commands.TasksModule.ParseTasks(valid).Should().BeEquivalentTo([valid]);
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("cut")]
    public async Task Damaged_graph_bin_is_exit_code_1_naming_the_file_and_the_rebuild(string damage)
    {
        var graphDir = Path.Combine(_root, "graph");
        Directory.CreateDirectory(graphDir);
        var file = Path.Combine(graphDir, EhrR1.Graph.Knowledge.Graph.KnowledgeGraphFile.FileName);
        var graph = new EhrR1.Graph.Knowledge.Graph.KnowledgeGraphBuilder()
            .AddConcept(new EhrR1.Graph.Core.Concepts.GraphConcept("C0020621", "Hypokalemia", ["T047"], "DISO"))
            .AddConcept(new EhrR1.Graph.Core.Concepts.GraphConcept("C0032825", "Potassium Chloride", ["T121"], "CHEM"))
            .AddUmlsRelation(new EhrR1.Graph.Core.Concepts.UmlsRelation("C0020621", "C0032825", "RO", "may_be_treated_by", "MED-RT"))
            .Build();
        EhrR1.Graph.Knowledge.Graph.KnowledgeGraphFile.Save(graph, file);
        var (good, _, goodErr) = await CliRunner.Run("graph", "show", "--graph", graphDir, "--cui", "C0020621");
        good.Should().Be(0, goodErr);

        var bytes = File.ReadAllBytes(file);
        if (damage == "flip")
        {
            bytes[bytes.Length - 16] ^= 0x01; // inside the UMLS_REL columns, before the end marker and checksum
        }
        else
        {
            bytes = bytes[..(bytes.Length / 2)];
        }

        File.WriteAllBytes(file, bytes);

        var (code, _, stderr) = await CliRunner.Run("graph", "show", "--graph", graphDir, "--cui", "C0020621");

        code.Should().Be(1, stderr);
        stderr.Should().Contain("EHR-GR-002").And.Contain(file).And.Contain("Rebuild it with `ehr-graph graph build`").And.NotContain(" at ");
        if (damage == "flip")
        {
            stderr.Should().Contain("checksum");
        }
    }

    [Fact]
    public async Task Evidence_resume_with_other_settings_is_refused_naming_each_one_and_the_same_settings_continue()
    {
        new EhrR1.Graph.Evidence.Synthetic.SyntheticEvidenceWorkload(seed: 11, scale: 0.05, samplesPerTask: 40, tasks: 2).WriteTo(_root);
        var output = Path.Combine(_root, "evidence.jsonl");
        string[] Search(params string[] extra) =>
        [
            "evidence", "search", "--samples", Path.Combine(_root, "samples.jsonl"), "--graph", Path.Combine(_root, "graph"),
            "--cooccurrence", Path.Combine(_root, "cooccurrence.jsonl"), "--search", "upstream", "--out", output, "--threads", "1", "--quiet", .. extra,
        ];
        await CliRunner.RunOk(Search("--topk", "20"));
        var complete = File.ReadAllBytes(output);

        // An interrupted run: the first half of the records, left as the partial output.
        var partial = output + ".partial";
        File.Move(output, partial);
        var lines = File.ReadAllLines(partial);
        File.WriteAllLines(partial, lines.Take(lines.Length / 2));
        var before = File.ReadAllBytes(partial);

        var (code, _, stderr) = await CliRunner.Run(Search("--resume", "--topk", "5", "--graph-kind", "both"));

        code.Should().Be(1, stderr);
        stderr.Should().Contain("EHR-IO-021").And.Contain("topk '20' before, '5' now").And.Contain("graph_kind 'umls' before, 'both' now")
            .And.Contain("Rerun with the earlier settings").And.Contain("another --out");
        File.ReadAllBytes(partial).Should().Equal(before, "a refused resume writes nothing");

        await CliRunner.RunOk(Search("--resume", "--topk", "20"));
        File.ReadAllBytes(output).Should().Equal(complete);
    }

    [Fact]
    public async Task Reason_rerun_into_the_same_output_with_another_n_is_refused()
    {
        var samples = Path.Combine(_root, "bench.jsonl");
        File.WriteAllLines(samples, Enumerable.Range(0, 3).Select(i => System.Text.Json.JsonSerializer.Serialize(new
        {
            sample_id = "labevents:" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":1",
            instruction = "Which tests?",
            input = "## Lab [2150-01-01 00:00]\nvalue",
            output = "A",
            candidates = new[] { "A" },
            task_info = new { task = "labevents", task_type = "decision_making", label = new[] { "A" } },
        })));
        await using var server = new EhrR1.Graph.TestSupport.Http.LoopbackChatServer(
            (r, _) => EhrR1.Graph.TestSupport.Http.LoopbackChatServer.Completion(r, (_, _) => "## Final Results\nA"), recordStartTimes: false);
        var outDir = Path.Combine(_root, "reason");
        string[] Reason(string n, string limit) =>
            ["reason", "--samples", samples, "--out", outDir, "--prompt", "without-graph", "--n", n, "--limit", limit, "--endpoint", server.OpenAiEndpoint.AbsoluteUri, "--client", "http", "--quiet"];
        await CliRunner.RunOk(Reason("1", "2"));
        var results = Path.Combine(outDir, "reasoning.jsonl");
        var before = File.ReadAllBytes(results);

        var (code, _, stderr) = await CliRunner.Run(Reason("2", "3"));

        code.Should().Be(1, stderr);
        stderr.Should().Contain("EHR-IO-021").And.Contain("--n '1' before, '2' now").And.Contain("another --out");
        File.ReadAllBytes(results).Should().Equal(before);
        await CliRunner.RunOk(Reason("1", "3"));
        File.ReadAllLines(results).Should().HaveCount(3);
    }

    [Theory]
    [InlineData("graph")]
    [InlineData("umls")]
    public async Task An_mrconso_line_with_a_field_missing_is_an_error_in_graph_build_as_in_umls_build_index(string command)
    {
        var rrf = WriteRrf();
        var file = Path.Combine(rrf, "MRCONSO.RRF");
        var lines = File.ReadAllLines(file);
        lines[4] = lines[4][..lines[4].TrimEnd('|').LastIndexOf('|')] + "|"; // line 5 loses its last field (17 of 18)
        File.WriteAllLines(file, lines);

        var (code, _, stderr) = await RrfCommand(command, rrf);

        code.Should().Be(1, stderr);
        stderr.Should().Contain("EHR-UMLS-001").And.Contain("MRCONSO.RRF:5").And.Contain("Found 17 fields").And.NotContain(" at ");
    }

    [Theory]
    [InlineData("graph", "MRCONSO.RRF")]
    [InlineData("graph", "MRSTY.RRF")]
    [InlineData("umls", "MRCONSO.RRF")]
    [InlineData("umls", "MRSTY.RRF")]
    public async Task Invalid_utf8_in_an_rrf_file_names_the_file_and_the_line_it_is_on(string command, string name)
    {
        var rrf = WriteRrf();
        var file = Path.Combine(rrf, name);
        var bytes = File.ReadAllBytes(file).ToList();
        var lineStarts = bytes.Select((b, i) => (b, i)).Where(x => x.b == (byte)'\n').Select(x => x.i + 1).ToList();
        bytes.Insert(lineStarts[9] + 3, 0xff); // inside line 11
        File.WriteAllBytes(file, [.. bytes]);

        var (code, _, stderr) = await RrfCommand(command, rrf);

        code.Should().Be(1, stderr);
        stderr.Should().Contain("EHR-IO-002").And.Contain(name + ":11").And.Contain("UTF-8").And.NotContain("   at ");
    }

    private Task<(int Code, string Stdout, string Stderr)> RrfCommand(string command, string rrf) => command == "graph"
        ? CliRunner.Run("graph", "build", "--rrf", rrf, "--out", Path.Combine(_root, "graph-out"), "--quiet")
        : CliRunner.Run("umls", "build-index", "--rrf", rrf, "--out", Path.Combine(_root, "index-out"), "--quiet");

    /// <summary>A release folder of 12 concepts in the Reference Manual layouts (no MRFILES.RRF).</summary>
    private string WriteRrf()
    {
        var rrf = Path.Combine(_root, "rrf");
        Directory.CreateDirectory(rrf);
        var ids = Enumerable.Range(1, 12).Select(i => i.ToString("0000000", System.Globalization.CultureInfo.InvariantCulture)).ToList();
        File.WriteAllLines(Path.Combine(rrf, "MRCONSO.RRF"), ids.Select(i =>
            string.Join('|', "C" + i, "ENG", "P", "L" + i, "PF", "S" + i, "Y", "A" + i, "", "", "D" + i, "MSH", "MH", "D" + i, "Finding " + i, "0", "N", "256") + "|"));
        File.WriteAllLines(Path.Combine(rrf, "MRSTY.RRF"), ids.Select(i => "C" + i + "|T033|A2.2|Finding|AT" + i + "|256|"));
        return rrf;
    }

    [Fact]
    public async Task A_missing_patients_table_is_an_error_naming_it()
    {
        var mimic = CopyDemo();
        File.Delete(Path.Combine(mimic, "hosp", "patients.csv.gz"));

        var (code, _, stderr) = await Ingest(mimic);

        code.Should().Be(1, stderr);
        stderr.Should().Contain("EHR-ING-002").And.Contain(Path.Combine("hosp", "patients.csv.gz")).And.Contain("--mimic");
    }

    [Fact]
    public async Task A_folder_where_a_table_file_should_be_is_an_error_naming_it()
    {
        var mimic = CopyDemo();
        var table = Path.Combine(mimic, "hosp", "omr.csv.gz");
        File.Delete(table);
        Directory.CreateDirectory(table);

        var (code, _, stderr) = await Ingest(mimic);

        code.Should().Be(1, stderr);
        stderr.Should().Contain("EHR-CSV-005").And.Contain(Path.Combine("hosp", "omr.csv.gz")).And.Contain("a folder");
    }

    [Fact]
    public async Task Evidence_given_as_samples_is_an_error_naming_the_missing_field_and_what_the_file_looks_like()
    {
        new EhrR1.Graph.Evidence.Synthetic.SyntheticEvidenceWorkload(seed: 5, scale: 0.05, samplesPerTask: 10, tasks: 1).WriteTo(_root);
        var evidence = Path.Combine(_root, "evidence.jsonl");
        string[] Search(string samples, string output) =>
            ["evidence", "search", "--samples", samples, "--graph", Path.Combine(_root, "graph"), "--cooccurrence", Path.Combine(_root, "cooccurrence.jsonl"), "--out", output, "--quiet"];
        await CliRunner.RunOk(Search(Path.Combine(_root, "samples.jsonl"), evidence));

        var (code, _, stderr) = await CliRunner.Run(Search(evidence, Path.Combine(_root, "again.jsonl")));

        code.Should().Be(1, stderr);
        stderr.Should().Contain("EHR-IO-005").And.Contain(evidence + ":1 (field \"targets\")").And.Contain("looks like evidence records")
            .And.Contain("ehr-graph concepts samples");
        File.Exists(Path.Combine(_root, "again.jsonl")).Should().BeFalse();

        // The same check guards the other readers of these files: samples given as reason's --evidence.
        var (reasonCode, _, reasonErr) = await CliRunner.Run(
            "reason", "--samples", Path.Combine(_root, "samples.jsonl"), "--evidence", Path.Combine(_root, "samples.jsonl"), "--out", Path.Combine(_root, "reason"), "--prepare-only", "--quiet");
        reasonCode.Should().Be(1, reasonErr);
        reasonErr.Should().Contain("EHR-IO-005").And.Contain("(field \"status\")").And.Contain("looks like sample concepts");
    }

    [Fact]
    public async Task Sample_concepts_given_as_an_eval_bench_are_an_error_naming_the_missing_input()
    {
        var bench = Path.Combine(_root, "samples.jsonl");
        File.WriteAllText(bench, "{\"sample_id\":\"labevents:1:2\",\"task\":\"labevents\",\"targets\":[\"Glucose\"],\"history\":[]}\n");

        var read = async () =>
        {
            await foreach (var _ in EhrR1.Graph.Evaluation.Bench.EhrBenchReader.ReadAsync(bench, includeText: false, CancellationToken.None))
            {
            }
        };

        var error = (await read.Should().ThrowAsync<EhrR1.Graph.Core.Errors.InputDataException>()).Which;
        error.Code.Should().Be("EHR-IO-005");
        error.Message.Should().Contain(bench + ":1 (field \"input\")").And.Contain("looks like sample concepts");
    }

    private static Task<(int Code, string Stdout, string Stderr)> Ingest(string mimic) =>
        CliRunner.Run("ingest", "--mimic", mimic, "--out", Path.Combine(Path.GetDirectoryName(mimic)!, "store"), "--quiet");

    private string CopyDemo()
    {
        var source = TestPaths.Dataset("mimic-iv-demo-2.2");
        var target = Path.Combine(_root, "mimic");
        foreach (var path in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(source, path));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(path, copy);
            File.SetAttributes(copy, FileAttributes.Normal);
        }

        return target;
    }

    private static List<string> ReadLines(string gz)
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(gz), CompressionMode.Decompress));
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line + "\n");
        }

        return lines;
    }

    private static byte[] Compress(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(System.Text.Encoding.UTF8.GetBytes(text));
        }

        return buffer.ToArray();
    }
}
