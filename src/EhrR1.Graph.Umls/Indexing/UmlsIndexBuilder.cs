using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Umls.Rrf;
using EhrR1.Graph.Umls.Text;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Analysis.Util;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Microsoft.Extensions.Logging;

namespace EhrR1.Graph.Umls.Indexing;

/// <summary>
/// Builds the matcher's Lucene index from RRF files in bounded memory:
/// <list type="number">
/// <item>MRSTY is read into a compact CUI → TUI-set map (the only per-concept state held).</item>
/// <item>MRCONSO is streamed once; atoms are filtered, normalised and de-duplicated per (CUI, string) within each run
/// of rows of one CUI (MRCONSO is sorted by CUI in every release); each distinct pair is spooled to a temporary file
/// chosen by its feature count.</item>
/// <item>The spool files are indexed in ascending feature count, so every count is a contiguous docID range.</item>
/// </list>
/// The output folder is written under a temporary name and renamed when complete.
/// </summary>
internal sealed class UmlsIndexBuilder(ILogger logger)
{
    private const int SpoolBuckets = 160;
    private const long OverflowGroupLines = 200_000;

    public static Lucene.Net.Analysis.Analyzer CreateWordsAnalyzer() => new StandardAnalyzer(LuceneVersion.LUCENE_48, CharArraySet.Empty);

    public async Task<StageReport> BuildAsync(IndexBuildSettings settings, IProgress<StageProgress> progress, CancellationToken cancellationToken)
    {
        var problems = settings.Validate().ToList();
        if (problems.Count > 0)
        {
            throw new Core.Errors.StageConfigurationException(string.Join(" ", problems));
        }

        var clock = Stopwatch.StartNew();
        var release = await RrfRelease.OpenAsync(settings.RrfDirectory, cancellationToken);
        var conso = release.Open("MRCONSO.RRF");
        var sty = release.Open("MRSTY.RRF");
        var groupsPath = SemanticGroups.Locate(settings.SemanticGroupsFile, settings.RrfDirectory);
        var groups = groupsPath is null ? SemanticGroups.Empty : SemanticGroups.Load(groupsPath);
        if (groupsPath is null)
        {
            logger.LogWarning("No SemGroups.txt found: semantic groups are left empty. Pass --semantic-groups to set them.");
        }

        using var output = AtomicDirectory.Begin(settings.OutputDirectory, settings.Force);
        var spoolDir = Path.Combine(output.StagingPath, ".spool");
        System.IO.Directory.CreateDirectory(spoolDir);

        // 1. MRSTY
        var types = new SemanticTypeMap();
        long styRows = 0;
        await foreach (var row in release.ReadSemanticTypesAsync(cancellationToken))
        {
            types.Add(row.Cui, row.Tui, row.Sty);
            if (++styRows % 100_000 == 0)
            {
                progress.Report(new StageProgress("semantic types", styRows, null, "rows"));
            }
        }

        progress.Report(new StageProgress("semantic types", styRows, styRows, "rows"));
        var typedConcepts = types.Count;
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation("Read {Rows} MRSTY rows for {Concepts} concepts", styRows, typedConcepts);
        }

        // 2. MRCONSO → spool files by feature count
        var normalizer = new TermNormalizer(settings.Normalization);
        var norm = settings.Normalization;
        var spool = new StreamWriter?[SpoolBuckets + 1];
        StreamWriter? overflow = null; // strings with ≥ SpoolBuckets features (rare): one file, read back in bounded groups
        var overflowSizes = new SortedDictionary<int, long>();
        long atomsRead = 0, atomsKept = 0, pairs = 0, concepts = 0, tooShort = 0, typeFiltered = 0;
        var maxSize = 0;
        string? currentCui = null;
        var currentNames = new Dictionary<string, (string Raw, bool Preferred, int Atoms)>(StringComparer.Ordinal);
        var conceptTypesOk = true;
        var totalBytes = conso.Bytes;

        void Flush()
        {
            if (currentCui is null || currentNames.Count == 0)
            {
                return;
            }

            concepts++;
            foreach (var (key, value) in currentNames.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                var size = NgramFeatures.Count(key.Length, norm.NgramLength, norm.BeginEndMarks);
                maxSize = Math.Max(maxSize, size);
                var line = string.Join('\t', currentCui, value.Preferred ? "Y" : "N", value.Raw, key, value.Atoms.ToString(CultureInfo.InvariantCulture));
                if (size < SpoolBuckets)
                {
                    spool[size] ??= new StreamWriter(Path.Combine(spoolDir, size.ToString(CultureInfo.InvariantCulture) + ".tsv"), false, new UTF8Encoding(false), 1 << 16);
                    spool[size]!.WriteLine(line);
                }
                else
                {
                    overflow ??= new StreamWriter(Path.Combine(spoolDir, "overflow.tsv"), false, new UTF8Encoding(false), 1 << 16);
                    overflow.WriteLine(size.ToString(CultureInfo.InvariantCulture) + "\t" + line);
                    overflowSizes[size] = overflowSizes.GetValueOrDefault(size) + 1;
                }

                pairs++;
            }

            currentNames.Clear();
        }

        await foreach (var atom in release.ReadConceptsAsync(null, cancellationToken))
        {
            atomsRead++;
            if (atomsRead % 200_000 == 0)
            {
                progress.Report(new StageProgress("names", atomsRead, null, "names"));
            }

            if (!settings.Filter.Accepts(atom))
            {
                continue;
            }

            if (!string.Equals(atom.Cui, currentCui, StringComparison.Ordinal))
            {
                Flush();
                currentCui = atom.Cui;
                conceptTypesOk = settings.Filter.AcceptsTypes(types.Lookup(atom.Cui));
            }

            if (!conceptTypesOk)
            {
                typeFiltered++;
                continue;
            }

            var key = normalizer.Normalize(atom.Str);
            if (key.Length < norm.MinLength)
            {
                tooShort++;
                continue;
            }

            atomsKept++;
            var raw = atom.Str.Replace('\t', ' ');
            if (currentNames.TryGetValue(key, out var existing))
            {
                currentNames[key] = (existing.Raw, existing.Preferred || atom.IsPreferred, existing.Atoms + 1);
            }
            else
            {
                currentNames[key] = (raw, atom.IsPreferred, 1);
            }
        }

        Flush();
        foreach (var w in spool)
        {
            if (w is not null)
            {
                await w.DisposeAsync();
            }
        }

        if (overflow is not null)
        {
            await overflow.DisposeAsync();
        }

        progress.Report(new StageProgress("names", atomsRead, atomsRead, "names"));
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation("Read {Atoms} MRCONSO rows ({Bytes} bytes); kept {Kept}, {Pairs} distinct (CUI, string) pairs of {Concepts} concepts",
                atomsRead, totalBytes, atomsKept, pairs, concepts);
        }

        // An index of no strings would match nothing, silently, in every stage after it.
        if (pairs == 0)
        {
            throw new InputDataException("EHR-UMLS-021", Path.Combine(release.Directory, "MRCONSO.RRF"), null, null,
                $"no string to index: {atomsRead} MRCONSO rows read, none kept by the language, suppression and source filters",
                expected: "at least one row in a language and source the filters keep",
                fix: "Check that MRCONSO.RRF is the release's file and not empty, and the --languages, --include-sab / --exclude-sab and --keep-suppress options");
        }

        // 3. Index in ascending feature count.
        var luceneDir = output.StagingPath;
        long docs = 0;
        using (var directory = FSDirectory.Open(luceneDir))
        using (var analyzer = CreateWordsAnalyzer())
        {
            var config = new IndexWriterConfig(LuceneVersion.LUCENE_48, analyzer)
            {
                OpenMode = OpenMode.CREATE,
                RAMBufferSizeMB = settings.RamBufferMb,
                MergePolicy = new LogByteSizeMergePolicy(), // merges adjacent segments only: keeps insertion (size) order
            };
            using var writer = new IndexWriter(directory, config);
            using var stop = new RollbackWhenStopped(writer, cancellationToken);
            var docBuilder = new DocumentFactory(norm, types, groups);
            for (var size = 1; size < SpoolBuckets; size++)
            {
                var path = Path.Combine(spoolDir, size.ToString(CultureInfo.InvariantCulture) + ".tsv");
                if (!File.Exists(path))
                {
                    continue;
                }

                foreach (var line in File.ReadLines(path))
                {
                    writer.AddDocument(docBuilder.Create(line));
                    if (++docs % 10_000 == 0)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        progress.Report(new StageProgress("index", docs, pairs, "strings"));
                    }
                }

                File.Delete(path);
            }

            // Long strings: one read of the overflow file per group of sizes holding at most OverflowGroupLines lines.
            var overflowPath = Path.Combine(spoolDir, "overflow.tsv");
            foreach (var group in GroupSizes(overflowSizes, OverflowGroupLines))
            {
                var lines = new List<(int Size, string Line)>();
                foreach (var line in File.ReadLines(overflowPath))
                {
                    var tab = line.IndexOf('\t', StringComparison.Ordinal);
                    var size = int.Parse(line.AsSpan(0, tab), NumberStyles.None, CultureInfo.InvariantCulture);
                    if (size >= group.Min && size <= group.Max)
                    {
                        lines.Add((size, line[(tab + 1)..]));
                    }
                }

                // Stable by size: within a size, spool order (CUI order), as for the bucket files.
                foreach (var (_, line) in lines.OrderBy(l => l.Size))
                {
                    writer.AddDocument(docBuilder.Create(line));
                    docs++;
                }

                cancellationToken.ThrowIfCancellationRequested();
                progress.Report(new StageProgress("index", docs, pairs, "strings"));
            }

            progress.Report(new StageProgress("index", docs, pairs, "strings"));
            cancellationToken.ThrowIfCancellationRequested();
            if (settings.ForceMerge)
            {
                progress.Report(new StageProgress("merge", 0, 1, "steps"));
                writer.ForceMerge(1);
                progress.Report(new StageProgress("merge", 1, 1, "steps"));
            }

            writer.Commit();
        }

        System.IO.Directory.Delete(spoolDir, recursive: true);

        var typeNames = new Dictionary<string, string>(groups.TypeNames, StringComparer.Ordinal);
        foreach (var (tui, name) in types.TypeNames)
        {
            typeNames[tui] = name;
        }

        var metadata = new IndexMetadata
        {
            Normalization = norm,
            Documents = docs,
            Concepts = concepts,
            MaxFeatureCount = maxSize,
            SemanticTypeNames = new SortedDictionary<string, string>(typeNames, StringComparer.Ordinal),
        };
        AtomicFile.WriteAllText(Path.Combine(luceneDir, IndexFields.MetadataFile), JsonSerializer.Serialize(metadata, JsonDefaults.Indented) + "\n");

        var counts = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["mrconso_rows"] = atomsRead,
            ["names_kept"] = atomsKept,
            ["names_too_short"] = tooShort,
            ["names_type_filtered"] = typeFiltered,
            ["mrsty_rows"] = styRows,
            ["documents"] = docs,
            ["concepts"] = concepts,
            ["max_feature_count"] = maxSize,
        };
        var settingsRecord = new Dictionary<string, string?>(settings.Filter.Describe(), StringComparer.Ordinal)
        {
            ["lowercase"] = norm.Lowercase ? "true" : "false",
            ["fold_to_ascii"] = norm.FoldToAscii ? "true" : "false",
            ["min_length"] = norm.MinLength.ToString(CultureInfo.InvariantCulture),
            ["ngram"] = norm.NgramLength.ToString(CultureInfo.InvariantCulture),
            ["begin_end_marks"] = norm.BeginEndMarks ? "true" : "false",
            ["semantic_groups"] = groupsPath is null ? null : Path.GetFileName(groupsPath),
        };
        var inputs = new List<FileFingerprint>();
        foreach (var name in new[] { "MRCONSO.RRF", "MRSTY.RRF", "MRFILES.RRF" })
        {
            var p = Path.Combine(settings.RrfDirectory, name);
            if (File.Exists(p))
            {
                inputs.Add(FileFingerprint.Of(p, hashLimitBytes: 64L << 20) with { Path = name });
            }
        }

        new RunManifest
        {
            Stage = "umls build-index",
            Settings = settingsRecord,
            Inputs = inputs,
            Counts = counts,
            ElapsedSeconds = clock.Elapsed.TotalSeconds,
        }.Save(Path.Combine(luceneDir, "manifest.json"));

        output.Commit();
        var seconds = clock.Elapsed.TotalSeconds;
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation("Indexed {Docs} strings of {Concepts} concepts in {Seconds:F1} s", docs, concepts, seconds);
        }

        return new StageReport("umls build-index", clock.Elapsed.TotalSeconds, counts, [settings.OutputDirectory]);
    }

    /// <summary>Consecutive size ranges whose line counts add up to at most <paramref name="limit"/> (a single size may exceed it).</summary>
    private static IEnumerable<(int Min, int Max)> GroupSizes(SortedDictionary<int, long> counts, long limit)
    {
        int? min = null;
        var max = 0;
        long lines = 0;
        foreach (var (size, n) in counts)
        {
            if (min is not null && lines + n > limit)
            {
                yield return (min.Value, max);
                min = null;
                lines = 0;
            }

            min ??= size;
            max = size;
            lines += n;
        }

        if (min is not null)
        {
            yield return (min.Value, max);
        }
    }

    /// <summary>Makes one Lucene document from a spool line <c>CUI \t Y|N \t original \t normalised \t atoms</c>.</summary>
    private sealed class DocumentFactory(NormalizationSettings norm, SemanticTypeMap types, SemanticGroups groups)
    {
        public Document Create(string line)
        {
            var f = line.Split('\t');
            var cui = f[0];
            var key = f[3];
            var features = NgramFeatures.Extract(key, norm.NgramLength, norm.BeginEndMarks);
            var doc = new Document
            {
                new StringField(IndexFields.Normalized, key, Field.Store.YES),
                new StoredField(IndexFields.Original, f[2]),
                new StringField(IndexFields.Cui, cui, Field.Store.YES),
                new StringField(IndexFields.Preferred, f[1], Field.Store.YES),
                new Int32Field(IndexFields.FeatureCount, features.Length, Field.Store.NO),
                new NumericDocValuesField(IndexFields.FeatureCountValues, features.Length),
                new TextField(IndexFields.Words, key, Field.Store.NO),
                new StoredField(IndexFields.Atoms, int.Parse(f[4], NumberStyles.None, CultureInfo.InvariantCulture)),
            };
            var seenGroups = new HashSet<string>(StringComparer.Ordinal);
            foreach (var tui in types.Lookup(cui))
            {
                doc.Add(new StringField(IndexFields.Tui, tui, Field.Store.YES));
                if (groups.GroupOf(tui) is { } g && seenGroups.Add(g))
                {
                    doc.Add(new StringField(IndexFields.Group, g, Field.Store.YES));
                }
            }

            foreach (var feature in features)
            {
                doc.Add(new StringField(IndexFields.Feature, feature, Field.Store.NO));
            }

            return doc;
        }
    }

    /// <summary>
    /// On the way out of a stopped build, drops the writer's buffered documents at once: disposing the writer would
    /// first flush and merge them into a staging folder that is deleted anyway. Declared after the writer, so it runs
    /// first; after a commit, a rollback has nothing left to drop.
    /// </summary>
    private sealed class RollbackWhenStopped(IndexWriter writer, CancellationToken cancellationToken) : IDisposable
    {
        public void Dispose()
        {
            if (cancellationToken.IsCancellationRequested)
            {
                writer.Rollback();
            }
        }
    }
}
