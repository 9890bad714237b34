using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Knowledge.Cooccurrence;
using Microsoft.Extensions.Logging;

namespace EhrR1.Graph.Knowledge.Graph;

/// <summary>
/// <c>ehr-graph graph build</c>: concepts and names from MRCONSO, semantic types from MRSTY, groups from SemGroups,
/// <c>UMLS_REL</c> from MRREL (streamed), and <c>CO_OCCURS</c> from the co-occurrence pairs, each pair term resolved to
/// a CUI (exact case-insensitive MRCONSO string, then the resolver, else a minted <c>EHR:</c> identifier so no
/// statistic is lost). Writes <c>graph.bin</c> and <c>manifest.json</c> atomically.
/// </summary>
public sealed class GraphBuilder(ILogger logger)
{
    /// <summary>Prefix of identifiers minted for terms that no vocabulary resolves.</summary>
    public const string MintedPrefix = "EHR:";

    public StageReport Run(GraphBuildSettings settings, IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        StageConfigurationException.ThrowIfAny(settings.Validate());
        var sw = Stopwatch.StartNew();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var outDir = Path.GetFullPath(settings.OutputDirectory);
        var graphPath = Path.Combine(outDir, KnowledgeGraphFile.FileName);
        if (!settings.Force && File.Exists(graphPath))
        {
            throw new StageConfigurationException($"{graphPath} already exists. Pass --force to overwrite it, or choose another output folder.");
        }


        var pairs = settings.CooccurrenceDirectory is null ? [] : CooccurrenceFiles.ReadPairs(settings.CooccurrenceDirectory).ToList();
        if (settings.MaxPerTarget > 0)
        {
            pairs = pairs.GroupBy(p => (p.Task, p.Target))
                .SelectMany(g => g.OrderByDescending(p => p.Lift).ThenByDescending(p => p.Count).ThenBy(p => p.History, StringComparer.Ordinal).Take(settings.MaxPerTarget))
                .ToList();
        }

        var termKeys = new HashSet<string>(pairs.SelectMany(p => new[] { p.Target, p.History }).Select(KnowledgeGraph.Key), StringComparer.Ordinal);

        var names = new Dictionary<string, (string Name, int Rank)>(StringComparer.Ordinal);
        var termToCui = new Dictionary<string, (string Cui, int Rank)>(StringComparer.Ordinal);
        var tuis = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var groups = LoadSemanticGroups(settings.SemanticGroupsFile);
        var builder = new KnowledgeGraphBuilder();

        if (settings.RrfDirectory is { } rrf)
        {
            long rows = 0;
            foreach (var (_, f) in RrfFiles.Read(Path.Combine(rrf, "MRCONSO.RRF"), RrfFiles.MrconsoFields, cancellationToken))
            {
                rows++;
                if (!string.Equals(f[1], settings.Language, StringComparison.Ordinal))
                {
                    continue;
                }

                var cui = f[0];
                var str = f[14];
                var rank = NameRank(f);
                if (!names.TryGetValue(cui, out var current) || rank < current.Rank)
                {
                    names[cui] = (str, rank);
                }

                var key = KnowledgeGraph.Key(str);
                if (termKeys.Contains(key) && (!termToCui.TryGetValue(key, out var t) || rank < t.Rank || (rank == t.Rank && string.CompareOrdinal(cui, t.Cui) < 0)))
                {
                    termToCui[key] = (cui, rank);
                }
            }

            counts["mrconso_rows"] = rows;
            progress?.Report(new StageProgress("MRCONSO", rows, rows, "rows"));
            var sty = Path.Combine(rrf, "MRSTY.RRF");
            if (File.Exists(sty))
            {
                foreach (var (_, f) in RrfFiles.Read(sty, RrfFiles.MrstyFields, cancellationToken))
                {
                    if (!tuis.TryGetValue(f[0], out var list))
                    {
                        tuis[f[0]] = list = [];
                    }

                    if (!list.Contains(f[1], StringComparer.Ordinal))
                    {
                        list.Add(f[1]);
                    }
                }
            }

            var rel = Path.Combine(rrf, "MRREL.RRF");
            long relRows = 0;
            long relKept = 0;
            if (File.Exists(rel))
            {
                foreach (var (_, f) in RrfFiles.Read(rel, RrfFiles.MrrelFields, cancellationToken))
                {
                    relRows++;
                    var suppress = f[14];
                    if (!settings.KeepSuppressedRelations && suppress is "O" or "E" or "Y")
                    {
                        continue;
                    }

                    if (string.Equals(f[0], f[4], StringComparison.Ordinal) || f[0].Length == 0 || f[4].Length == 0)
                    {
                        continue;
                    }

                    builder.AddUmlsRelation(f[0], f[4], f[3], f[7], f[10]);
                    relKept++;
                    if ((relRows & 0xfffff) == 0)
                    {
                        progress?.Report(new StageProgress("MRREL", relRows, null, "rows"));
                    }
                }
            }
            else
            {
                logger.LogWarning("{File} not found: the graph has no UMLS_REL edges", rel);
            }

            counts["mrrel_rows"] = relRows;
            counts["umls_rel"] = relKept;
        }

        long minted = 0;
        long resolvedByResolver = 0;
        var resolved = new Dictionary<string, string>(StringComparer.Ordinal);
        string Resolve(string term)
        {
            var key = KnowledgeGraph.Key(term);
            if (resolved.TryGetValue(key, out var cui))
            {
                return cui;
            }

            if (termToCui.TryGetValue(key, out var hit))
            {
                cui = hit.Cui;
            }
            else if (settings.Resolver?.Resolve(term) is { } r)
            {
                cui = r.Cui;
                resolvedByResolver++;
                if (!names.ContainsKey(cui))
                {
                    names[cui] = (r.Name, 0);
                }

                if (!tuis.ContainsKey(cui) && r.Tuis.Count > 0)
                {
                    tuis[cui] = r.Tuis.ToList();
                }
            }
            else
            {
                cui = MintedPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16];
                minted++;
                names.TryAdd(cui, (term, 0));
            }

            resolved[key] = cui;
            return cui;
        }

        foreach (var p in pairs)
        {
            var t = Resolve(p.Target);
            var h = Resolve(p.History);
            builder.AddTerm(new GraphTerm(p.Target, t));
            builder.AddTerm(new GraphTerm(p.History, h));
            builder.AddCooccurrence(new CooccurrenceEdge(t, h, p));
        }

        counts["co_occurs"] = pairs.Count;
        counts["terms_minted"] = minted;
        counts["terms_resolved_by_resolver"] = resolvedByResolver;
        counts["terms"] = resolved.Count;

        // name, types and group of every concept that an edge or term mentions (set in place: the relations are
        // never copied, so memory stays the builder's compact 12 bytes per MRREL row)
        var mentioned = builder.ConceptCuis.ToArray();
        foreach (var cui in mentioned)
        {
            var name = names.TryGetValue(cui, out var n) ? n.Name : cui;
            var types = tuis.TryGetValue(cui, out var list) ? list.Order(StringComparer.Ordinal).ToList() : [];
            var group = cui.StartsWith(MintedPrefix, StringComparison.Ordinal) ? "EHR" : types.Select(x => groups.GetValueOrDefault(x)).FirstOrDefault(g => g is not null);
            builder.SetConcept(new GraphConcept(cui, name, types, group));
        }

        var graph = builder.Build();
        counts["concepts"] = graph.ConceptCount;
        // The graph folder may hold other stages' outputs (the run keeps graph/cooccur/ there), so the two files are
        // replaced one by one, each atomically: the manifest goes first and comes back last, so a graph.bin without a
        // manifest.json beside it is an unfinished build.
        var manifestPath = Path.Combine(outDir, "manifest.json");
        var terms = RunManifest.TermsOf(settings.RrfDirectory);
        if (RunManifest.IsRestricted(terms))
        {
            logger.LogWarning("The vocabulary holds opt-in sources; the graph comes under their terms: {Terms}", terms);
        }

        Directory.CreateDirectory(outDir);
        AtomicFile.TryDelete(manifestPath);
        KnowledgeGraphFile.Save(graph, graphPath);
        new RunManifest
        {
            Stage = "graph build",
            Settings = new Dictionary<string, string?>(StringComparer.Ordinal)
            {
                ["cooccur"] = settings.CooccurrenceDirectory,
                ["rrf"] = settings.RrfDirectory,
                ["semantic_groups"] = settings.SemanticGroupsFile,
                ["language"] = settings.Language,
                ["keep_suppressed_relations"] = settings.KeepSuppressedRelations ? "true" : "false",
                ["max_per_target"] = settings.MaxPerTarget.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["resolver"] = settings.Resolver?.GetType().Name,
                [RunManifest.TermsSetting] = terms,
            },
            Counts = counts,
            ElapsedSeconds = sw.Elapsed.TotalSeconds,
        }.Save(manifestPath);

        logger.LogInformation(
            "Built the graph: {Concepts} concepts, {Terms} terms ({Minted} minted ids), {Co} CO_OCCURS, {Umls} UMLS_REL",
            graph.ConceptCount, graph.TermCount, minted, graph.CooccurrenceCount, graph.UmlsRelationCount);
        return new StageReport("graph build", sw.Elapsed.TotalSeconds, counts, [Path.Combine(settings.OutputDirectory, KnowledgeGraphFile.FileName)]);
    }

    /// <summary>Preference of an MRCONSO row as the concept's name: 0 = TS=P, STT=PF, ISPREF=Y ... 3 = other.</summary>
    private static int NameRank(string[] f) =>
        (f[2] == "P" ? 0 : 2) + (f[4] == "PF" && f[6] == "Y" ? 0 : 1);

    private static Dictionary<string, string> LoadSemanticGroups(string? path)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (path is null)
        {
            return map;
        }

        foreach (var (_, f) in RrfFiles.ReadDelimited(path, 3, CancellationToken.None))
        {
            map.TryAdd(f[2], f[0]);
        }

        return map;
    }
}
