using EhrR1.Graph.Tasks.Definitions;
using EhrR1.Graph.Tasks.Labels;
using EhrR1.Graph.Trajectories.Model;

namespace EhrR1.Graph.Tasks.Indexing;

/// <summary>
/// Enumerates every task instance of one patient (upstream §2.1): decision-making instances at each target event
/// with their 24-hour same-admission context window, and risk instances at edstays, admissions, icustays and
/// discharge anchors. The trajectory is never modified: the time that diagnoses events borrow from the previous
/// event is kept in a local array.
/// </summary>
public sealed class TaskInstanceEnumerator
{
    private static readonly string[] Yes = ["yes"];
    private static readonly string[] No = ["no"];

    private readonly ContextWindowMode _mode;
    private readonly TimeSpan _window;
    private readonly Func<TaskDefinition, bool> _include;

    public TaskInstanceEnumerator(ContextWindowMode mode = ContextWindowMode.Contiguous, IReadOnlySet<string>? tasks = null, double windowHours = 24)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(windowHours);
        _mode = mode;
        _window = TimeSpan.FromHours(windowHours);
        _include = tasks is null ? static _ => true : t => tasks.Contains(t.Name);
    }

    /// <summary>The instances of one patient, in trajectory order (per event: decision tasks, next_event, risk tasks).</summary>
    public IEnumerable<TaskInstance> Enumerate(PatientTrajectory trajectory)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        var p = new PatientView(trajectory, attributeEdRows: _mode == ContextWindowMode.Contiguous);
        var admissionsSeen = new Dictionary<long, int>();
        var dischargesSeen = new List<int>();
        var batch = new List<TaskInstance>(8);
        for (var i = 0; i < p.Count; i++)
        {
            var ev = p.Events[i];
            if (ev.Table == "admissions" && ev.HadmId is { } ah)
            {
                admissionsSeen[ah] = i;
            }
            else if (ev.Table == "discharge")
            {
                dischargesSeen.Add(i);
            }

            batch.Clear();
            AddDecisionInstances(p, i, batch);
            AddRiskInstances(p, i, batch);
            foreach (var inst in batch)
            {
                int? admissionsId = inst.HadmId is { } h && admissionsSeen.TryGetValue(h, out var a) ? a : null;
                int? lastDischarge = null;
                for (var k = dischargesSeen.Count - 1; k >= 0; k--)
                {
                    if (p.Hadm(dischargesSeen[k]) != inst.HadmId)
                    {
                        lastDischarge = dischargesSeen[k];
                        break;
                    }
                }

                yield return inst with { AdmissionsId = admissionsId, LastDischargeId = lastDischarge };
            }
        }
    }

    private void AddDecisionInstances(PatientView p, int i, List<TaskInstance> output)
    {
        var ev = p.Events[i];
        int? begin = null;
        var beginKnown = false;
        int? Begin()
        {
            if (!beginKnown)
            {
                begin = BackwardWindowBegin(p, i);
                beginKnown = true;
            }

            return begin;
        }

        void Consider(TaskDefinition task)
        {
            if (!_include(task))
            {
                return;
            }

            var labels = LabelExtractor.Extract(task, ev, p.Start[i]);
            if (labels is null || Begin() is not { } b)
            {
                return;
            }

            output.Add(new TaskInstance(task.Name, ev.Table, p.SubjectId, p.Hadm(i), i, b, i, null, null, labels));
        }

        if (TaskCatalog.DecisionTasksByEvent.TryGetValue(ev.Table, out var tasks))
        {
            foreach (var task in tasks)
            {
                Consider(task);
            }
        }

        Consider(TaskCatalog.NextEventTask);
    }

    /// <summary>
    /// The first index of the window before <paramref name="i"/>: events 1..i-1 with the target's admission and a start
    /// less than the window length before the target's start. Null when no event qualifies.
    /// </summary>
    internal int? BackwardWindowBegin(PatientView p, int i)
    {
        if (p.Start[i] is not { } t)
        {
            return null;
        }

        var hadm = p.Hadm(i);
        int? best = null;
        for (var j = i - 1; j >= 1; j--)
        {
            if (LeakGuard.IsDischargeOnly(p.Events[j].Table))
            {
                // Never reach back over a list that is only known at an admission's discharge.
                break;
            }

            var sj = p.Start[j];
            if (sj is { } s && t - s >= _window)
            {
                // Trajectories are time-ordered, so no earlier timed event can be inside the window.
                break;
            }

            var hj = p.Hadm(j);
            if (sj is not null && hj == hadm && !IsMisplacedUpstream(p, j))
            {
                best = j;
            }
            else if (_mode == ContextWindowMode.Contiguous && hj is not null && hj != hadm)
            {
                // Never reach across an event of another admission.
                break;
            }
        }

        return best;
    }

    /// <summary>
    /// The exclusive end of the window after an anchor at <paramref name="a"/>: the anchor plus the following events of
    /// its admission that start (by their own time) less than the window length after <paramref name="anchorTime"/>.
    /// Events without a time of their own (the discharge-time diagnoses list, DRG codes) are never inside: like
    /// upstream, which gives diagnoses a time only when its walk reaches them, and the scan stops at the first of them.
    /// </summary>
    private int ForwardWindowEnd(PatientView p, int a, DateTime anchorTime)
    {
        var hadm = p.Hadm(a);
        var end = a + 1;
        for (var k = a + 1; k < p.Count; k++)
        {
            if (LeakGuard.IsDischargeOnly(p.Events[k].Table))
            {
                break;
            }

            var sk = p.Events[k].StartTime;
            if (sk is { } s && s - anchorTime >= _window)
            {
                break;
            }

            var hk = p.Hadm(k);
            if (sk is not null && hk == hadm && !IsMisplacedUpstream(p, k))
            {
                end = k + 1;
            }
            else if (_mode == ContextWindowMode.Contiguous && hk is not null && hk != hadm)
            {
                break;
            }
        }

        return end;
    }

    /// <summary>
    /// Upstream mode: an hcpcsevents event never counts as a window member. Upstream's <c>rank.py</c> has no time field
    /// for the table, so its rows land among the untimed ones, just after the demographics and again at the end of the
    /// trajectory, never beside their admission; a window there cannot begin or end at one. The default keeps them at
    /// their <c>chartdate</c> (midnight), their real place.
    /// </summary>
    private bool IsMisplacedUpstream(PatientView p, int k) => _mode == ContextWindowMode.Upstream && p.Events[k].Table == "hcpcsevents";

    /// <summary>
    /// Upstream mode: no risk instance when no event after the anchor is inside its window (upstream's scans return
    /// no context end and emit nothing). The default emits them with the anchor alone: whether an instance exists
    /// must not depend on what happens after the prediction time.
    /// </summary>
    private bool IsAnchorOnlyUpstream(int anchor, int end) => _mode == ContextWindowMode.Upstream && end == anchor + 1;

    private void AddRiskInstances(PatientView p, int i, List<TaskInstance> output)
    {
        switch (p.Events[i].Table)
        {
            case "edstays":
                AddEdInstances(p, i, output);
                break;
            case "admissions":
                AddAdmissionInstances(p, i, output);
                break;
            case "icustays":
                AddIcuInstances(p, i, output);
                break;
            case "discharge":
                AddReadmissionInstances(p, i, output);
                break;
            default:
                break;
        }
    }

    private void AddEdInstances(PatientView p, int s, List<TaskInstance> output)
    {
        var ev = p.Events[s];
        var item = ev.Items.Count > 0 ? ev.Items[0] : null;
        var outTime = TimeValues.Parse(item?.Get("outtime"));
        if (outTime is not { } outT || p.Start[s] is null)
        {
            return;
        }

        // The ED visit: the stay and every later event that starts before the ED outtime, whatever its admission.
        var end = s + 1;
        for (var k = s + 1; k < p.Count; k++)
        {
            if (LeakGuard.IsDischargeOnly(p.Events[k].Table))
            {
                break;
            }

            if (p.Events[k].StartTime is not { } sk)
            {
                continue;
            }

            if (sk >= outT)
            {
                break;
            }

            if (!IsMisplacedUpstream(p, k))
            {
                end = k + 1;
            }
        }

        if (IsAnchorOnlyUpstream(s, end))
        {
            return;
        }

        var hadm = p.Hadm(s);
        var hospitalised = false;
        var icu12 = false;
        var firstIcuSeen = false;
        bool? reattend = null;
        for (var k = s + 1; k < p.Count; k++)
        {
            var table = p.Events[k].Table;
            if (hadm is not null && p.Hadm(k) == hadm)
            {
                if (table == "admissions")
                {
                    hospitalised = true;
                }
                else if (table == "icustays" && !firstIcuSeen && p.Start[k] is { } icuIn)
                {
                    firstIcuSeen = true;
                    icu12 = icuIn - outT < TimeSpan.FromHours(12);
                }
            }

            if (reattend is null && table == "edstays" && p.Start[k] is { } nextIn)
            {
                reattend = nextIn - outT < TimeSpan.FromHours(72);
            }
        }

        var mortality = hadm is { } h && p.DeathDate is { } dod && p.LastTimeOfAdmission(h) is { } last && last >= dod;
        Emit(p, output, "ED_Hospitalization", s, s, end, hospitalised);
        Emit(p, output, "ED_Inpatient_Mortality", s, s, end, mortality);
        Emit(p, output, "ED_ICU_Tranfer_12hour", s, s, end, icu12);
        Emit(p, output, "ED_Reattendance_3day", s, s, end, reattend == true);
        Emit(p, output, "ED_Critical_Outcomes", s, s, end, icu12 || mortality);
    }

    private void AddAdmissionInstances(PatientView p, int a, List<TaskInstance> output)
    {
        var ev = p.Events[a];
        var item = ev.Items.Count > 0 ? ev.Items[0] : null;
        var admit = TimeValues.Parse(item?.Get("admittime")) ?? p.Start[a];
        var disch = TimeValues.Parse(item?.Get("dischtime"));
        if (admit is not { } admitT || disch is not { } dischT || p.Start[a] is not { } anchor)
        {
            return;
        }

        var end = ForwardWindowEnd(p, a, anchor);
        if (IsAnchorOnlyUpstream(a, end))
        {
            return;
        }

        var lastContext = p.Start[end - 1] ?? anchor;
        var beforeDischarge = lastContext < dischT;
        if (beforeDischarge)
        {
            Emit(p, output, "LengthOfStay_3day", a, a, end, dischT - admitT > TimeSpan.FromHours(72));
            Emit(p, output, "LengthOfStay_7day", a, a, end, dischT - admitT > TimeSpan.FromHours(168));
        }

        // Fixed: a context reaching past the discharge can show the outcome (the discharge note of a death), so such
        // instances are dropped unless the upstream window mode is asked for.
        if (beforeDischarge || _mode == ContextWindowMode.Upstream)
        {
            Emit(p, output, "Inpatient_Mortality", a, a, end, p.DeathDate is { } dod && dod <= dischT);
        }
    }

    private void AddIcuInstances(PatientView p, int c, List<TaskInstance> output)
    {
        var ev = p.Events[c];
        var item = ev.Items.Count > 0 ? ev.Items[0] : null;
        if (p.Start[c] is not { } icuIn)
        {
            return;
        }

        var end = ForwardWindowEnd(p, c, icuIn);
        if (IsAnchorOnlyUpstream(c, end))
        {
            return;
        }

        var lastContext = p.Start[end - 1] ?? icuIn;
        foreach (var (name, days) in IcuMortalityTasks)
        {
            Emit(p, output, name, c, c, end, p.DeathDate is { } dod && dod - lastContext < TimeSpan.FromDays(days));
        }

        var inTime = TimeValues.Parse(item?.Get("intime")) ?? icuIn;
        if (TimeValues.Parse(item?.Get("outtime")) is { } outT)
        {
            Emit(p, output, "ICU_Stay_7day", c, c, end, outT - inTime >= TimeSpan.FromDays(7));
            Emit(p, output, "ICU_Stay_14day", c, c, end, outT - inTime >= TimeSpan.FromDays(14));
        }

        var hadm = p.Hadm(c);
        var readmitted = false;
        if (hadm is not null)
        {
            for (var k = c + 1; k < p.Count && !readmitted; k++)
            {
                readmitted = p.Events[k].Table == "icustays" && p.Hadm(k) == hadm;
            }
        }

        Emit(p, output, "ICU_Readmission", c, c, end, readmitted);
    }

    private static readonly (string Name, int Days)[] IcuMortalityTasks =
    [
        ("ICU_Mortality_1day", 1), ("ICU_Mortality_2day", 2), ("ICU_Mortality_3day", 3), ("ICU_Mortality_7day", 7), ("ICU_Mortality_14day", 14),
    ];

    private void AddReadmissionInstances(PatientView p, int d, List<TaskInstance> output)
    {
        if (p.Start[d] is not { } noteTime || BackwardWindowBegin(p, d) is not { } begin)
        {
            return;
        }

        // The discharge time is the admission's dischtime when the admission is in the trajectory, else the note time.
        var dischargeTime = noteTime;
        if (p.Hadm(d) is { } h && p.AdmissionIndex(h) is { } ai)
        {
            var item = p.Events[ai].Items.Count > 0 ? p.Events[ai].Items[0] : null;
            dischargeTime = TimeValues.Parse(item?.Get("dischtime")) ?? noteTime;
        }

        DateTime? nextAdmission = null;
        for (var k = d + 1; k < p.Count; k++)
        {
            if (p.Events[k].Table == "admissions" && p.Start[k] is { } t)
            {
                nextAdmission = t;
                break;
            }
        }

        Emit(p, output, "Readmission_30day", d, begin, d + 1, nextAdmission is { } n30 && n30 - dischargeTime < TimeSpan.FromDays(30));
        Emit(p, output, "Readmission_60day", d, begin, d + 1, nextAdmission is { } n60 && n60 - dischargeTime < TimeSpan.FromDays(60));
    }

    private void Emit(PatientView p, List<TaskInstance> output, string task, int anchor, int begin, int end, bool yes)
    {
        var def = TaskCatalog.ByName[task];
        if (!_include(def))
        {
            return;
        }

        output.Add(new TaskInstance(task, p.Events[anchor].Table, p.SubjectId, p.Hadm(anchor), anchor, begin, end, null, null, yes ? Yes : No));
    }

    /// <summary>A patient's events with the per-index values the rules read, computed once.</summary>
    internal sealed class PatientView
    {
        private Dictionary<long, DateTime>? _lastTimeByHadm;
        private Dictionary<long, int>? _admissionByHadm;

        private static readonly HashSet<string> EdChildTables = new(StringComparer.Ordinal) { "triage", "medrecon", "pyxis", "vitalsign", "diagnosis" };

        private readonly long?[] _hadm;

        public PatientView(PatientTrajectory trajectory, bool attributeEdRows = true)
        {
            SubjectId = trajectory.SubjectId;
            Events = trajectory.Events;
            Count = Events.Count;
            Start = new DateTime?[Count];
            for (var i = 0; i < Count; i++)
            {
                var s = Events[i].StartTime;
                // diagnoses_icd rows carry no time; like upstream, they take the previous event's start (locally).
                if (s is null && i > 0 && Events[i].Table == "diagnoses_icd")
                {
                    s = Start[i - 1];
                }

                Start[i] = s;
            }

            _hadm = new long?[Count];
            Dictionary<string, long>? edStayHadm = null;
            for (var i = 0; i < Count; i++)
            {
                var ev = Events[i];
                _hadm[i] = ev.HadmId;
                if (!attributeEdRows || ev.Items.Count == 0)
                {
                    continue;
                }

                if (ev.Table == "edstays" && ev.HadmId is { } eh && ev.Items[0].Get("stay_id") is { } stay)
                {
                    (edStayHadm ??= new(StringComparer.Ordinal))[stay] = eh;
                }
                else if (ev.HadmId is null && edStayHadm is not null && EdChildTables.Contains(ev.Table)
                    && ev.Items[0].Get("stay_id") is { } childStay && edStayHadm.TryGetValue(childStay, out var attributed))
                {
                    // MIMIC-IV-ED rows other than edstays carry no hadm_id: they belong to their ED stay's admission.
                    _hadm[i] = attributed;
                }
            }

            if (Count > 0 && Events[0].Table == "patients" && Events[0].Items.Count > 0)
            {
                DeathDate = TimeValues.Parse(Events[0].Items[0].Get("dod"))?.Date;
            }
        }

        public long SubjectId { get; }

        public IReadOnlyList<EhrEvent> Events { get; }

        public int Count { get; }

        /// <summary>Effective start times (diagnoses events borrow the previous event's).</summary>
        public DateTime?[] Start { get; }

        /// <summary>Date of death (a date: compared as midnight), or null.</summary>
        public DateTime? DeathDate { get; }

        /// <summary>The admission of event <paramref name="i"/>; ED rows inherit their stay's admission when attributed.</summary>
        public long? Hadm(int i) => _hadm[i];

        public DateTime? LastTimeOfAdmission(long hadm)
        {
            if (_lastTimeByHadm is null)
            {
                _lastTimeByHadm = [];
                for (var i = 0; i < Count; i++)
                {
                    if (Events[i].HadmId is { } h && Start[i] is { } s)
                    {
                        var e = Events[i].EndTime is { } end && end > s ? end : s;
                        _lastTimeByHadm[h] = _lastTimeByHadm.TryGetValue(h, out var cur) && cur > e ? cur : e;
                    }
                }
            }

            return _lastTimeByHadm.TryGetValue(hadm, out var t) ? t : null;
        }

        public int? AdmissionIndex(long hadm)
        {
            if (_admissionByHadm is null)
            {
                _admissionByHadm = [];
                for (var i = 0; i < Count; i++)
                {
                    if (Events[i].Table == "admissions" && Events[i].HadmId is { } h)
                    {
                        _admissionByHadm.TryAdd(h, i);
                    }
                }
            }

            return _admissionByHadm.TryGetValue(hadm, out var a) ? a : null;
        }
    }
}
