using EhrR1.Graph.Knowledge.Extraction;
using EhrR1.Graph.Tasks.Indexing;

namespace EhrR1.Graph.Knowledge.Cooccurrence;

/// <summary>
/// Counts target × history co-occurrence per decision-making task (upstream §2.4, with its bugs fixed by default).
/// The unit is one task sample: its target concepts are the target event's labels for the task, its history the
/// concepts of the events the rendered input shows. Concept strings are interned to integers once. Two streaming
/// passes over the patients (ascending subject order): the first counts N and the document frequencies; the second
/// counts only the pairs that can still pass the filters — history df ≥ <c>min_support</c>, and both dfs below
/// N / <c>threshold</c> (lift ≤ N / max(df) since count ≤ min(df)) — in batches counted in parallel across tasks. The
/// kept pairs are exactly those of a full count; memory holds one batch plus the per-task tables.
/// </summary>
public sealed class CooccurrenceCounter(CooccurrenceSettings settings)
{
    private const int SampleBatch = 1 << 16;

    /// <summary>
    /// Counts <paramref name="samples"/> (already restricted to the training split) over <paramref name="patients"/>
    /// (ascending subject id; patients without samples are skipped; enumerated twice).
    /// </summary>
    public CooccurrenceTable Count(IEnumerable<TaskIndexRow> samples, IEnumerable<PatientConcepts> patients, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(patients);
        var bySubject = new Dictionary<long, List<TaskIndexRow>>();
        var taskIds = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var s in samples)
        {
            if (settings.Tasks is not null && !settings.Tasks.Contains(s.Task))
            {
                continue;
            }

            if (!taskIds.ContainsKey(s.Task))
            {
                taskIds[s.Task] = taskIds.Count;
            }

            if (!bySubject.TryGetValue(s.SubjectId, out var list))
            {
                bySubject[s.SubjectId] = list = [];
            }

            list.Add(s);
        }

        var tasks = taskIds.OrderBy(kv => kv.Value).Select(kv => kv.Key).ToArray();
        var accumulators = tasks.Select(_ => new TaskAccumulator()).ToArray();
        var interner = new Dictionary<string, int>(StringComparer.Ordinal);
        var strings = new List<string>();

        // Pass 1: N and document frequencies.
        long missingTargets = 0;
        foreach (var (task, targets, history) in Samples(patients, bySubject, taskIds, interner, strings, cancellationToken))
        {
            missingTargets += targets.Length == 0 ? 1 : 0;
            accumulators[task].AddDocument(targets, history);
        }

        foreach (var acc in accumulators)
        {
            acc.SetBounds(settings.MinSupport, settings.Threshold);
        }

        // Pass 2: the pairs that can pass the filters, batched and counted in parallel across tasks.
        var work = tasks.Select(_ => new List<(int[] Targets, int[] History)>()).ToArray();
        var pending = 0;
        void Flush()
        {
            Parallel.For(0, tasks.Length, new ParallelOptions { MaxDegreeOfParallelism = settings.Parallelism, CancellationToken = cancellationToken }, t =>
            {
                var acc = accumulators[t];
                foreach (var (targets, history) in work[t])
                {
                    acc.AddPairs(targets, history, settings.UpstreamSelfPairs);
                }

                work[t].Clear();
            });
            pending = 0;
        }

        foreach (var (task, targets, history) in Samples(patients, bySubject, taskIds, interner, strings, cancellationToken))
        {
            work[task].Add((targets, history));
            if (++pending >= SampleBatch)
            {
                Flush();
            }
        }

        Flush();
        return CooccurrenceTable.From(tasks, accumulators, strings, settings, missingTargets);
    }

    /// <summary>Each sample as (task id, distinct target ids, sorted distinct history ids), in patient order.</summary>
    private IEnumerable<(int Task, int[] Targets, int[] History)> Samples(
        IEnumerable<PatientConcepts> patients,
        Dictionary<long, List<TaskIndexRow>> bySubject,
        Dictionary<string, int> taskIds,
        Dictionary<string, int> interner,
        List<string> strings,
        CancellationToken cancellationToken)
    {
        int Intern(string s)
        {
            if (!interner.TryGetValue(s, out var id))
            {
                id = strings.Count;
                interner[s] = id;
                strings.Add(s);
            }

            return id;
        }

        var history = new HashSet<int>();
        foreach (var patient in patients)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!bySubject.TryGetValue(patient.SubjectId, out var patientSamples))
            {
                continue;
            }

            var events = new Dictionary<int, EventConcepts>();
            foreach (var e in patient.Events)
            {
                events[e.Index] = e;
            }

            var allIds = new Dictionary<int, int[]>();
            int[] AllOf(int index)
            {
                if (!allIds.TryGetValue(index, out var ids))
                {
                    ids = events.TryGetValue(index, out var ev) ? AllConcepts(ev).Select(Intern).Distinct().ToArray() : [];
                    allIds[index] = ids;
                }

                return ids;
            }

            foreach (var s in patientSamples)
            {
                var targets = events.TryGetValue(s.TargetIndex, out var target) && target.Labels.TryGetValue(s.Task, out var labels)
                    ? labels.Select(Intern).Distinct().ToArray()
                    : [];
                history.Clear();
                foreach (var k in HistoryIndices(s, i => events.TryGetValue(i, out var ev) ? ev.Table : null))
                {
                    history.UnionWith(AllOf(k));
                }

                var h = history.ToArray();
                Array.Sort(h);
                yield return (taskIds[s.Task], targets, h);
            }
        }
    }

    /// <summary>
    /// The trajectory indices whose concepts form the history of <paramref name="sample"/>. Fixed (default): what
    /// the rendered input shows — the last discharge of another admission, the admission event unless the task is
    /// <c>admissions</c> (then it is the target), and the window events except hidden (bid) tables and
    /// <c>admissions</c> events; never the target event. Upstream: every window event plus both extra events.
    /// </summary>
    public IEnumerable<int> HistoryIndices(TaskIndexRow sample, Func<int, string?> tableOf)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(tableOf);
        return HistoryIndicesCore(sample, tableOf);
    }

    private IEnumerable<int> HistoryIndicesCore(TaskIndexRow sample, Func<int, string?> tableOf)
    {
        var seen = new HashSet<int>();
        if (settings.UpstreamHistory)
        {
            for (var k = sample.ContextBegin; k < sample.ContextEnd; k++)
            {
                if (seen.Add(k))
                {
                    yield return k;
                }
            }

            if (sample.LastDischargeId is { } d && seen.Add(d))
            {
                yield return d;
            }

            if (sample.AdmissionsId is { } a && seen.Add(a))
            {
                yield return a;
            }

            yield break;
        }

        var hidden = settings.HiddenTables.TryGetValue(sample.Task, out var h) ? h : [];
        if (sample.LastDischargeId is { } ld && ld != sample.TargetIndex && seen.Add(ld))
        {
            yield return ld;
        }

        if (sample.AdmissionsId is { } ad && !string.Equals(sample.Task, "admissions", StringComparison.Ordinal) && ad != sample.TargetIndex && seen.Add(ad))
        {
            yield return ad;
        }

        for (var k = sample.ContextBegin; k < sample.ContextEnd; k++)
        {
            if (k == sample.TargetIndex)
            {
                continue;
            }

            var table = tableOf(k);
            if (table is null || string.Equals(table, "admissions", StringComparison.Ordinal) || hidden.Contains(table, StringComparer.Ordinal))
            {
                continue;
            }

            if (seen.Add(k))
            {
                yield return k;
            }
        }
    }

    /// <summary>Every concept string of an event: all task label lists plus the text concepts.</summary>
    public IEnumerable<string> AllConcepts(EventConcepts e)
    {
        foreach (var list in e.Labels.Values)
        {
            foreach (var c in list)
            {
                yield return c;
            }
        }

        foreach (var t in TextTerms(e.Text, settings.UpstreamTextGroup0))
        {
            yield return t;
        }
    }

    /// <summary>
    /// The strings a note contributes: the best term of every span (default), or — upstream — every candidate term of
    /// the single best-scoring span (highest similarity, then longest).
    /// </summary>
    public static IEnumerable<string> TextTerms(IReadOnlyList<TextConcept> spans, bool upstreamGroup0)
    {
        ArgumentNullException.ThrowIfNull(spans);
        if (!upstreamGroup0)
        {
            return spans.Select(s => s.Term);
        }

        var best = spans.OrderByDescending(s => s.Similarity).ThenByDescending(s => s.End - s.Start).FirstOrDefault();
        return best is null ? [] : best.CandidateTerms.Count > 0 ? best.CandidateTerms : [best.Term];
    }

    internal sealed class TaskAccumulator
    {
        private long _maxDfExclusive = long.MaxValue;
        private long _minHistoryDf;

        public Dictionary<int, int> Df { get; } = [];

        /// <summary>Pair counts keyed <c>target &lt;&lt; 32 | history</c>. The default hash of a long folds it to
        /// <c>target ^ history</c>, which gives every pair of small ids one of a few thousand codes (20x the demo ran
        /// 300x slower than the demo); <see cref="Core.Collections.PairKeyComparer"/> mixes all 64 bits.</summary>
        public Dictionary<long, int> Co { get; } = new(Core.Collections.PairKeyComparer.Instance);

        public long Samples { get; private set; }

        public long Pairs { get; private set; }

        public void AddDocument(int[] targets, int[] history)
        {
            Samples++;
            foreach (var x in targets.Union(history))
            {
                Df[x] = Df.GetValueOrDefault(x) + 1;
            }
        }

        /// <summary>After pass 1: pairs need df(history) ≥ min_support and threshold·df &lt; N on both ends.</summary>
        public void SetBounds(int minSupport, double threshold)
        {
            _minHistoryDf = minSupport;
            _maxDfExclusive = threshold > 0 ? (long)Math.Ceiling(Samples / threshold) : long.MaxValue;
        }

        private bool CanPass(int concept, long minDf) =>
            Df.TryGetValue(concept, out var df) && df >= minDf && df < _maxDfExclusive;

        public void AddPairs(int[] targets, int[] history, bool selfPairs)
        {
            foreach (var t in targets)
            {
                if (!CanPass(t, 0))
                {
                    continue;
                }

                var hi = (long)t << 32;
                foreach (var h in history)
                {
                    if ((h == t && !selfPairs) || !CanPass(h, _minHistoryDf))
                    {
                        continue;
                    }

                    ref var c = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(Co, hi | (uint)h, out _);
                    c++;
                    Pairs++;
                }
            }
        }
    }
}
