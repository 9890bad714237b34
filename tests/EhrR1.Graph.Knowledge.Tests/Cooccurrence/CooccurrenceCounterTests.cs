using EhrR1.Graph.Knowledge.Cooccurrence;
using EhrR1.Graph.Knowledge.Extraction;
using EhrR1.Graph.Tasks.Indexing;

namespace EhrR1.Graph.Knowledge.Tests.Cooccurrence;

public sealed class CooccurrenceCounterTests
{
    private static readonly Dictionary<string, IReadOnlyList<string>> Hidden = new(StringComparer.Ordinal) { ["diagnoses_icd"] = ["discharge"] };

    private static EventConcepts Ev(int index, string table, string? task = null, string[]? labels = null, params string[] text) => new()
    {
        Index = index,
        Table = table,
        Labels = task is null ? new Dictionary<string, IReadOnlyList<string>>() : new Dictionary<string, IReadOnlyList<string>> { [task] = labels ?? [] },
        Text = text.Select((t, i) => new TextConcept(i * 10, i * 10 + 5, "C" + i, t, 0.9, [t])).ToList(),
    };

    private static TaskIndexRow S(string task, long subject, int target, int begin, int? admissions = null, int? discharge = null) => new()
    {
        SampleId = $"{task}:{subject}:{target}",
        Task = task,
        Event = task,
        Target = [],
        SubjectId = subject,
        TargetIndex = target,
        ContextBegin = begin,
        ContextEnd = target,
        AdmissionsId = admissions,
        LastDischargeId = discharge,
    };

    [Fact]
    public void Should_CountPairsDfAndLift_When_SamplesShareConcepts()
    {
        // Given: three labevents samples; "Potassium" target always follows "KCl" history
        var patients = new List<PatientConcepts>
        {
            new(1, [Ev(1, "prescriptions", "prescriptions", ["KCl"]), Ev(2, "labevents", "labevents", ["Potassium"])]),
            new(2, [Ev(1, "prescriptions", "prescriptions", ["KCl"]), Ev(2, "labevents", "labevents", ["Potassium"])]),
            new(3, [Ev(1, "prescriptions", "prescriptions", ["Aspirin"]), Ev(2, "labevents", "labevents", ["Sodium"])]),
        };
        var samples = new[] { S("labevents", 1, 2, 1), S("labevents", 2, 2, 1), S("labevents", 3, 2, 1) };
        var counter = new CooccurrenceCounter(new CooccurrenceSettings { MinSupport = 1, Threshold = 0, HiddenTables = Hidden });

        // When
        var table = counter.Count(samples, patients, CancellationToken.None);

        // Then: lift = count·N/(df_t·df_h) = 2·3/(2·2) = 1.5
        var t = table["labevents"]!;
        t.Samples.Should().Be(3);
        t.DocumentFrequency["KCl"].Should().Be(2);
        var pair = t.Pairs.Single(p => p.Target == "Potassium");
        pair.History.Should().Be("KCl");
        pair.Count.Should().Be(2);
        pair.Lift.Should().Be(1.5);
        table.PairsCounted.Should().Be(3);
        pair.Count.Should().BeLessThanOrEqualTo(pair.HistoryDf);
    }

    [Fact]
    public void Should_ApplyMinSupportOnHistoryAndStrictThreshold_When_Filtering()
    {
        // Given: lift of (Potassium, KCl) is exactly 1.5
        var patients = new List<PatientConcepts>
        {
            new(1, [Ev(1, "prescriptions", "prescriptions", ["KCl"]), Ev(2, "labevents", "labevents", ["Potassium"])]),
            new(2, [Ev(1, "prescriptions", "prescriptions", ["KCl"]), Ev(2, "labevents", "labevents", ["Potassium"])]),
            new(3, [Ev(1, "prescriptions", "prescriptions", ["Aspirin"]), Ev(2, "labevents", "labevents", ["Sodium"])]),
        };
        var samples = new[] { S("labevents", 1, 2, 1), S("labevents", 2, 2, 1), S("labevents", 3, 2, 1) };

        // When
        var atThreshold = new CooccurrenceCounter(new CooccurrenceSettings { MinSupport = 1, Threshold = 1.5 }).Count(samples, patients, CancellationToken.None);
        var belowSupport = new CooccurrenceCounter(new CooccurrenceSettings { MinSupport = 3, Threshold = 0 }).Count(samples, patients, CancellationToken.None);

        // Then
        atThreshold["labevents"]!.Pairs.Should().NotContain(p => p.Target == "Potassium" && p.History == "KCl");
        belowSupport["labevents"]!.Pairs.Should().BeEmpty();
    }

    [Fact] // Reproduces upstream §7 bug 7 (self-pair guard never fires)
    public void Should_SkipSelfPairs_When_NotAskedForUpstreamBehaviour()
    {
        // Given: "KCl" is both in the history and the target
        var patients = new List<PatientConcepts> { new(1, [Ev(1, "prescriptions", "prescriptions", ["KCl"]), Ev(2, "prescriptions", "prescriptions", ["KCl"])]) };
        var samples = new[] { S("prescriptions", 1, 2, 1) };

        // When
        var fixedTable = new CooccurrenceCounter(new CooccurrenceSettings { MinSupport = 0, Threshold = 0 }).Count(samples, patients, CancellationToken.None);
        var upstream = new CooccurrenceCounter(new CooccurrenceSettings { MinSupport = 0, Threshold = 0, UpstreamSelfPairs = true }).Count(samples, patients, CancellationToken.None);

        // Then
        fixedTable["prescriptions"]!.Pairs.Should().BeEmpty();
        upstream["prescriptions"]!.Pairs.Should().ContainSingle(p => p.Target == "KCl" && p.History == "KCl");
    }

    [Fact] // Reproduces upstream §7 bug 7 (history includes hidden events and the target admission)
    public void Should_ExcludeHiddenEventsAndTargetAdmission_When_BuildingHistory()
    {
        // Given: a diagnoses sample whose window holds a discharge note (hidden for diagnoses tasks)
        var counter = new CooccurrenceCounter(new CooccurrenceSettings { HiddenTables = Hidden });
        var upstream = new CooccurrenceCounter(new CooccurrenceSettings { HiddenTables = Hidden, UpstreamHistory = true });
        string? Table(int i) => i switch { 1 => "admissions", 2 => "labevents", 3 => "discharge", 4 => "admissions", 5 => "labevents", _ => null };
        var diag = S("diagnoses_icd", 1, 6, 2, admissions: 1);
        var adm = S("admissions", 1, 4, 2, admissions: 4);

        // When / Then
        counter.HistoryIndices(diag, Table).Should().Equal(1, 2, 5); // 3 hidden, 4 an admissions event (shown only as admissions_id)
        upstream.HistoryIndices(diag, Table).Should().Contain(3);
        counter.HistoryIndices(adm, Table).Should().Equal(2, 3).And.NotContain(4);
        upstream.HistoryIndices(adm, Table).Should().Contain(4);
    }

    [Fact]
    public void Should_UseEverySpan_When_TextHasSeveralMatches()
    {
        // Given
        var spans = new List<TextConcept>
        {
            new(0, 5, "C1", "fever", 0.8, ["fever", "pyrexia"]),
            new(10, 22, "C2", "hypokalemia", 1.0, ["hypokalemia", "low potassium"]),
        };

        // When / Then
        CooccurrenceCounter.TextTerms(spans, upstreamGroup0: false).Should().Equal("fever", "hypokalemia");
        CooccurrenceCounter.TextTerms(spans, upstreamGroup0: true).Should().Equal("hypokalemia", "low potassium");
    }

    [Fact]
    public void Should_SelectTopKHistoryPresentInSample_When_SelectingPairs()
    {
        // Given
        var patients = Enumerable.Range(1, 6).Select(i => new PatientConcepts(i, i <= 3
            ? [Ev(1, "prescriptions", "prescriptions", ["KCl", "Insulin"]), Ev(2, "labevents", "labevents", ["Potassium"])]
            : [Ev(1, "prescriptions", "prescriptions", ["Aspirin"]), Ev(2, "labevents", "labevents", ["Sodium"])])).ToList();
        var samples = Enumerable.Range(1, 6).Select(i => S("labevents", i, 2, 1)).ToList();
        var table = new CooccurrenceCounter(new CooccurrenceSettings { MinSupport = 1, Threshold = 1 }).Count(samples, patients, CancellationToken.None);

        // When
        var both = table.SelectPairs("labevents", ["Potassium"], new HashSet<string> { "KCl", "Insulin" }, topK: 0);
        var one = table.SelectPairs("labevents", ["Potassium"], new HashSet<string> { "KCl", "Insulin" }, topK: 1);
        var absent = table.SelectPairs("labevents", ["Potassium"], new HashSet<string> { "Aspirin" }, topK: 5);

        // Then
        both.Select(p => p.History).Should().Equal("Insulin", "KCl");
        one.Should().ContainSingle();
        absent.Should().BeEmpty();
    }

    [Fact]
    public void Should_GiveSameTable_When_RunSeriallyOrInParallel()
    {
        // Given
        var rng = new Random(7);
        var names = Enumerable.Range(0, 30).Select(i => "c" + i).ToArray();
        var tasks = new[] { "labevents", "prescriptions", "emar" };
        var patients = Enumerable.Range(1, 200).Select(s => new PatientConcepts(s, Enumerable.Range(1, 8).Select(i =>
            Ev(i, "t" + (i % 3), tasks[i % 3], Enumerable.Range(0, 3).Select(_ => names[rng.Next(names.Length)]).ToArray())).ToList())).ToList();
        var samples = patients.SelectMany(p => Enumerable.Range(4, 5).Select(t => S(tasks[t % 3], p.SubjectId, t, 1))).ToList();

        // When
        var serial = new CooccurrenceCounter(new CooccurrenceSettings { MinSupport = 1, Threshold = 0.05, Parallelism = 1 }).Count(samples, patients, CancellationToken.None);
        var parallel = new CooccurrenceCounter(new CooccurrenceSettings { MinSupport = 1, Threshold = 0.05, Parallelism = 4 }).Count(samples, patients, CancellationToken.None);

        // Then
        parallel.Pairs().Should().Equal(serial.Pairs());
        serial.Tasks.Should().HaveCount(3);
        serial["emar"]!.Samples.Should().BeGreaterThan(0);
        serial["emar"]!.DocumentFrequency.Should().NotBeEmpty();
        serial.PairsCounted.Should().BeGreaterThan(0);
        serial.Pairs().Should().NotBeEmpty();
    }
}
