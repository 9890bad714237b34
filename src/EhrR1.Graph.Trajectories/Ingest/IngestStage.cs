using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Trajectories.Csv;
using EhrR1.Graph.Trajectories.Store;
using Microsoft.Extensions.Logging;

// A handful of log lines per run: argument evaluation cost is irrelevant.
#pragma warning disable CA1873

namespace EhrR1.Graph.Trajectories.Ingest;

/// <summary>
/// <c>ehr-graph ingest</c>: MIMIC-IV CSVs → trajectory store, in bounded memory. Phase 1 streams every event
/// table (two at a time), encodes rows and spills sorted runs; phase 2 k-way merges the runs by
/// (subject, time, source key, table, row), assembles each patient's events and writes them as Brotli blocks of a
/// few dozen KiB (compressed in parallel, written in order) plus the block and subject indexes. The store is built in a staging folder and renamed into place with its manifest.
/// </summary>
public sealed class IngestStage(ILogger logger)
{
    /// <summary>Stage name in manifests and reports.</summary>
    public const string StageName = "ingest";

    private static readonly string[] ExpectedDictionaries = ["hosp/d_icd_diagnoses", "hosp/d_icd_procedures", "hosp/d_labitems", "icu/d_items"];

    /// <summary>Runs the ingestion.</summary>
    public async Task<IngestResult> RunAsync(IngestSettings settings, IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        StageConfigurationException.ThrowIfAny(settings.Validate());
        var sw = Stopwatch.StartNew();
        var mimic = Path.GetFullPath(settings.MimicDirectory);
        var output = Path.GetFullPath(settings.OutputDirectory);
        var tables = TableCatalog.All;
        var files = DiscoverTables(settings, mimic);
        var dictFiles = DiscoverDictionaries(mimic);
        var inputs = files.Values.Select(f => f.Path).Concat(dictFiles.Values)
            .Concat(new[] { settings.CcsMapPath, settings.AtcMapPath }.OfType<string>())
            .Select(p => FileFingerprint.Of(p)).ToList();
        var manifestSettings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["mimic"] = mimic,
            ["ccs_map"] = settings.CcsMapPath,
            ["atc_map"] = settings.AtcMapPath,
            ["extra_tables"] = string.Join(";", settings.ExtraTables.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => k.Key + "=" + k.Value)),
            ["format"] = StoreSchema.CurrentFormat,
        };

        if (!settings.Force && IsUpToDate(output, inputs, manifestSettings) is { } existing)
        {
            logger.LogInformation("Store {Store} is up to date with its inputs; nothing to do (use --force to rebuild).", output);
            return new IngestResult(output, true, sw.Elapsed.TotalSeconds, existing.Counts);
        }

        if (files.Count == 0)
        {
            throw new InputDataException("EHR-ING-001", mimic, null, null, "No MIMIC-IV event table was found",
                "files such as hosp/patients.csv.gz, hosp/admissions.csv.gz", "none",
                "Point --mimic at the release folder that holds hosp/ and icu/, or run ehr-graph download-demo");
        }

        // Every trajectory starts with its patients row: without that table no patient has a trajectory.
        var patientsTable = TableCatalog.All.Select((spec, index) => (spec, index)).First(x => x.spec is { Module: "hosp", Name: "patients" });
        if (!files.ContainsKey(patientsTable.index))
        {
            throw new InputDataException("EHR-ING-002", Path.Combine(patientsTable.spec.Module, patientsTable.spec.Name + ".csv.gz"), null, null,
                "the required MIMIC-IV table patients is missing",
                expected: "hosp/patients.csv.gz or hosp/patients.csv in the --mimic folder", found: "neither",
                fix: "Point --mimic at the complete release folder, or restore the file (ehr-graph download-demo fetches the demo)");
        }

        using var atomic = AtomicDirectory.Begin(output, settings.Force,
            stale => logger.LogInformation("Removed {Folder}, the staging folder of an earlier run that was killed.", stale));
        var spillDir = Path.Combine(atomic.StagingPath, ".spill");
        Directory.CreateDirectory(spillDir);

        var dict = LoadDictionaries(settings, mimic, dictFiles, files, cancellationToken);
        logger.LogInformation("Loaded {Count} dictionaries ({Labs} lab items, {Icu} ICU items, {Dx} ICD diagnoses, {Px} ICD procedures).",
            dict.Loaded.Count, dict.LabItems.Count, dict.IcuItems.Count, dict.IcdDiagnoses.Count, dict.IcdProcedures.Count);

        // Phase 1: spill.
        var rowsPerTable = new long[tables.Count];
        var columns = new string[tables.Count][];
        var workers = Math.Max(1, Math.Min(settings.Workers, files.Count));
        var arena = (int)Math.Min(int.MaxValue / 2, settings.SortBufferBytes / workers);
        var sorters = Enumerable.Range(0, workers).Select(i => new SpillSorter(spillDir, "w" + i.ToString(CultureInfo.InvariantCulture), arena)).ToArray();
        var queue = new Queue<int>(files.OrderByDescending(f => new FileInfo(f.Value.Path).Length).Select(f => f.Key));
        long rowsDone = 0;
        var gate = new Lock();
        var tasks = sorters.Select(sorter => Task.Run(
            () =>
            {
                while (true)
                {
                    int t;
                    lock (gate)
                    {
                        if (!queue.TryDequeue(out t))
                        {
                            break;
                        }
                    }

                    var spec = tables[t];
                    var (path, display) = files[t];
                    using var reader = MimicCsvReader.Open(path, display);
                    columns[t] = TableIngestor.Columns(reader.Header, spec);
                    var n = TableIngestor.Run(spec, (short)t, reader, dict, sorter, cancellationToken);
                    rowsPerTable[t] = n;
                    var done = Interlocked.Add(ref rowsDone, n);
                    progress?.Report(new StageProgress("read tables", done, null, "rows"));
                    logger.LogInformation("Read {Table}: {Rows} rows.", display, n);
                }

                sorter.Flush();
            },
            cancellationToken)).ToArray();
        await Task.WhenAll(tasks).ConfigureAwait(false);
        var runs = sorters.SelectMany(s => s.Runs).ToList();
        logger.LogInformation("Spilled {Rows} rows into {Runs} sorted runs ({MiB:F1} MiB).", rowsDone, runs.Count, sorters.Sum(s => s.SpilledBytes) / 1048576.0);

        // Phase 2: merge, assemble, write.
        var schema = new StoreSchema(StoreSchema.CurrentFormat, tables.Select((t, i) => new StoreTable(
            t.Name, columns[i] ?? [.. TableCatalog.RequiredColumns(t), .. t.DerivedColumns], t.DerivedLists)).ToList());
        schema.Save(atomic.StagingPath);
        var eventsPerTable = new long[tables.Count];
        var phase1 = sw.Elapsed.TotalSeconds;
        var cpu1 = ProcessCpuSeconds();
        var merged = await MergeAsync(runs, tables, atomic.StagingPath, eventsPerTable, rowsDone, workers, progress, cancellationToken).ConfigureAwait(false);
        var (patients, events, storedRows, storeBytes) = (merged.Patients, merged.Events, merged.Rows, merged.Bytes);
        var phase2 = sw.Elapsed.TotalSeconds - phase1;
        var cpu2 = ProcessCpuSeconds() - cpu1;
        logger.LogInformation("Read and spilled in {Spill:F1} s; merged, compressed and wrote in {Merge:F1} s (the merge waited {Wait:F1} s for compression).",
            phase1, phase2, merged.WaitSeconds);
        Directory.Delete(spillDir, recursive: true);

        if (storedRows != rowsDone)
        {
            throw new InvalidOperationException($"Row count mismatch: read {rowsDone}, stored {storedRows}.");
        }

        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal)
        {
            ["patients"] = patients,
            ["rows"] = storedRows,
            ["events"] = events,
            ["store_bytes"] = storeBytes,
        };
        for (var t = 0; t < tables.Count; t++)
        {
            if (files.ContainsKey(t))
            {
                counts["rows." + tables[t].Name] = rowsPerTable[t];
                counts["events." + tables[t].Name] = eventsPerTable[t];
            }
        }

        var elapsed = sw.Elapsed.TotalSeconds;
        new RunManifest
        {
            Stage = StageName,
            Settings = manifestSettings,
            Inputs = inputs,
            Counts = counts,
            ElapsedSeconds = elapsed,
        }.Save(Path.Combine(atomic.StagingPath, StoreFiles.Manifest));
        atomic.Commit();
        logger.LogInformation("Wrote {Patients} patients, {Events} events, {Rows} rows to {Store} in {Seconds:F1} s.", patients, events, storedRows, output, elapsed);
        return new IngestResult(output, false, elapsed, counts)
        {
            PhaseSeconds = new Dictionary<string, double>(StringComparer.Ordinal)
            {
                ["spill"] = phase1,
                ["merge"] = phase2,
                ["merge_wait"] = merged.WaitSeconds,
                ["spill_cpu"] = cpu1,
                ["merge_cpu"] = cpu2,
            },
        };
    }

    private static double ProcessCpuSeconds()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    private static RunManifest? IsUpToDate(string output, List<FileFingerprint> inputs, Dictionary<string, string?> settings)
    {
        var manifest = RunManifest.TryLoad(Path.Combine(output, StoreFiles.Manifest));
        if (manifest is null || !string.Equals(manifest.Stage, StageName, StringComparison.Ordinal)
            || !File.Exists(Path.Combine(output, StoreFiles.Index)))
        {
            return null;
        }

        var sameSettings = settings.All(kv => manifest.Settings.TryGetValue(kv.Key, out var v) && string.Equals(v, kv.Value, StringComparison.Ordinal));
        var sameInputs = manifest.Inputs.Count == inputs.Count && manifest.Inputs.Zip(inputs).All(p =>
            string.Equals(p.First.Path, p.Second.Path, StringComparison.Ordinal) && p.First.Length == p.Second.Length
            && string.Equals(p.First.Sha256 ?? p.First.LastWriteUtc, p.Second.Sha256 ?? p.Second.LastWriteUtc, StringComparison.Ordinal));
        return sameSettings && sameInputs ? manifest : null;
    }

    private static Dictionary<int, (string Path, string Display)> DiscoverTables(IngestSettings settings, string mimic)
    {
        var found = new Dictionary<int, (string, string)>();
        for (var t = 0; t < TableCatalog.All.Count; t++)
        {
            var spec = TableCatalog.All[t];
            if (settings.ExtraTables.TryGetValue(spec.RelativePath, out var extra))
            {
                found[t] = (Path.GetFullPath(extra), spec.RelativePath + " (" + Path.GetFileName(extra) + ")");
                continue;
            }

            if (FindCsv(mimic, spec.Module, spec.Name) is { } p)
            {
                found[t] = (p, Path.GetRelativePath(mimic, p));
            }
        }

        return found;
    }

    private static Dictionary<string, string> DiscoverDictionaries(string mimic)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (module, name) in new[] { ("hosp", "d_icd_diagnoses"), ("hosp", "d_icd_procedures"), ("hosp", "d_labitems"), ("icu", "d_items"), ("note", "radiology_detail") })
        {
            if (FindCsv(mimic, module, name) is { } p)
            {
                d[module + "/" + name] = p;
            }
        }

        return d;
    }

    /// <summary>The path of <c>root/module/name.csv.gz</c> or <c>.csv</c>, or null.</summary>
    public static string? FindCsv(string root, string module, string name)
    {
        foreach (var ext in new[] { ".csv.gz", ".csv" })
        {
            var p = Path.Combine(root, module, name + ext);
            if (Directory.Exists(p))
            {
                throw new InputDataException("EHR-CSV-005", Path.GetRelativePath(root, p), null, null, "a folder is where the table file should be",
                    expected: "a CSV file (.csv or .csv.gz)", found: "a folder",
                    fix: "Move the folder away and put the table file in its place, or point --mimic at an unpacked release");
            }

            if (File.Exists(p))
            {
                return p;
            }
        }

        return null;
    }

    private Dictionaries LoadDictionaries(IngestSettings settings, string mimic, Dictionary<string, string> dictFiles, Dictionary<int, (string Path, string Display)> files, CancellationToken ct)
    {
        var dict = new Dictionaries();
        string Rel(string p) => Path.GetRelativePath(mimic, p);
        foreach (var (key, path) in dictFiles)
        {
            switch (key)
            {
                case "hosp/d_icd_diagnoses": dict.LoadIcd(path, Rel(path), procedures: false, ct); break;
                case "hosp/d_icd_procedures": dict.LoadIcd(path, Rel(path), procedures: true, ct); break;
                case "hosp/d_labitems": dict.LoadItems(path, Rel(path), dict.LabItems, ct); break;
                case "icu/d_items": dict.LoadItems(path, Rel(path), dict.IcuItems, ct); break;
                case "note/radiology_detail": dict.LoadRadiologyDetail(path, Rel(path), ct); break;
                default: break;
            }
        }

        foreach (var missing in ExpectedDictionaries.Where(k => !dictFiles.ContainsKey(k)))
        {
            logger.LogWarning("Dictionary {Table} not found: its derived names render as None.", missing);
        }

        if (settings.CcsMapPath is { } ccs)
        {
            dict.LoadCcs(ccs, ct);
        }

        if (settings.AtcMapPath is { } atc)
        {
            dict.LoadAtc(atc, ct);
        }

        var edIndex = TableCatalog.All.ToList().FindIndex(t => t.Name == "edstays");
        if (files.TryGetValue(edIndex, out var ed))
        {
            dict.LoadEdStays(ed.Path, ed.Display, ct);
        }

        return dict;
    }

    private static async Task<MergeOutcome> MergeAsync(
        List<string> runs, IReadOnlyList<TableSpec> tables, string storeDir, long[] eventsPerTable, long totalRows, int workers,
        IProgress<StageProgress>? progress, CancellationToken ct)
    {
        // One thread merges and assembles patients into batches of about BatchBytes raw bytes; each full batch is
        // compressed on the thread pool (up to 2 x workers batches in flight) and written in submission order by the
        // consumer, so the store bytes do not depend on the number of threads and memory stays bounded.
        const int BatchBytes = 1 << 20;
        var cursors = new List<RunCursor>();
        var channel = Channel.CreateBounded<Task<StoreBatch>>(
            new BoundedChannelOptions(Math.Max(2, 2 * workers)) { SingleReader = true, SingleWriter = true });
        var free = new ConcurrentQueue<StoreBatch>();
        long patients = 0, events = 0, rows = 0, bytes = 0;
        var waited = new Stopwatch();
        using var writer = new StoreWriter(storeDir);
        var consumer = Task.Run(
            async () =>
            {
                await foreach (var pending in channel.Reader.ReadAllAsync(ct).ConfigureAwait(false))
                {
                    var done = await pending.ConfigureAwait(false);
                    writer.Write(done);
                    done.Reset();
                    free.Enqueue(done);
                }
            },
            ct);

        try
        {
            var bufferSize = (int)Math.Clamp((256L << 20) / Math.Max(1, runs.Count), 64 << 10, 4 << 20);
            var pq = new PriorityQueue<int, RowKey>(runs.Count);
            foreach (var run in runs)
            {
                var c = new RunCursor(run, bufferSize);
                cursors.Add(c);
                if (c.MoveNext())
                {
                    pq.Enqueue(cursors.Count - 1, c.Current);
                }
            }

            var assembler = new PatientAssembler(tables);
            var block = new ArrayBufferWriter<byte>(1 << 16);
            var starts = new List<int>(1024);
            var batch = new StoreBatch();
            var current = long.MinValue;
            async ValueTask Submit()
            {
                var full = batch;
                batch = free.TryDequeue(out var reused) ? reused : new StoreBatch();
                waited.Start();
                await channel.Writer.WriteAsync(Task.Run(() => { full.Compress(); return full; }, ct), ct).ConfigureAwait(false);
                waited.Stop();
            }

            async ValueTask FlushPatient()
            {
                if (assembler.RowCount == 0)
                {
                    return;
                }

                block.ResetWrittenCount();
                var (ev, rw) = assembler.Finish(block, starts, eventsPerTable);
                batch.Add(current, block.WrittenSpan, CollectionsMarshal.AsSpan(starts), rw);
                patients++;
                events += ev;
                rows += rw;
                if (batch.RawBytes >= BatchBytes)
                {
                    await Submit().ConfigureAwait(false);
                }

                if ((patients & 0x3FF) == 0)
                {
                    progress?.Report(new StageProgress("write store", rows, totalRows, "rows"));
                }
            }

            while (pq.TryDequeue(out var idx, out var key))
            {
                var c = cursors[idx];
                if (key.Subject != current)
                {
                    await FlushPatient().ConfigureAwait(false);
                    current = key.Subject;
                }

                assembler.Add(key, c.Payload);
                if (c.MoveNext())
                {
                    pq.Enqueue(idx, c.Current);
                }
            }

            await FlushPatient().ConfigureAwait(false);
            if (batch.PatientCount > 0)
            {
                await Submit().ConfigureAwait(false);
            }

            channel.Writer.Complete();
            await consumer.ConfigureAwait(false);
            writer.Complete();
            bytes = writer.DataBytes + new FileInfo(Path.Combine(storeDir, StoreFiles.Index)).Length + new FileInfo(Path.Combine(storeDir, StoreFiles.Blocks)).Length;
        }
        catch (Exception ex)
        {
            channel.Writer.TryComplete(ex);
            try
            {
                await consumer.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The original exception is the one to report.
            }

            throw;
        }
        finally
        {
            foreach (var c in cursors)
            {
                c.Dispose();
            }
        }

        progress?.Report(new StageProgress("write store", rows, totalRows, "rows"));
        return new MergeOutcome(patients, events, rows, bytes, waited.Elapsed.TotalSeconds);
    }

    private readonly record struct MergeOutcome(long Patients, long Events, long Rows, long Bytes, double WaitSeconds);
}
