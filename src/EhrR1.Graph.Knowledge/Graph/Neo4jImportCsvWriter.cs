using EhrR1.Graph.Core.Concepts;
using System.Globalization;
using EhrR1.Graph.Core.IO;

namespace EhrR1.Graph.Knowledge.Graph;

/// <summary>
/// Writes a graph as <c>neo4j-admin import</c> CSV files (typed headers, one file per node label and relationship
/// type) for graphs too large for transactional loading. Every string field is quoted; arrays use <c>;</c>.
/// The folder also gets <c>import.sh</c> with the exact command for Neo4j 3.x (<c>neo4j-import</c>/<c>neo4j-admin
/// import</c>) and 4.x/5.x.
/// </summary>
public static class Neo4jImportCsvWriter
{
    /// <summary>The files written, in import order.</summary>
    public static readonly IReadOnlyList<string> Files = ["concepts.csv", "terms.csv", "denotes.csv", "co_occurs.csv", "umls_rel.csv"];

    /// <summary>Writes the CSV files into <paramref name="outDir"/> (atomically: all or nothing); returns row counts.</summary>
    public static IReadOnlyDictionary<string, long> Write(KnowledgeGraph graph, string outDir, bool force)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        using var dir = AtomicDirectory.Begin(outDir, force);
        counts["concepts"] = WriteFile(dir.StagingPath, "concepts.csv", "cui:ID(Concept),name,name_key,tuis:string[],group,:LABEL", w =>
        {
            long n = 0;
            foreach (var c in graph.Concepts())
            {
                w.Write(Q(c.Cui)); w.Write(','); w.Write(Q(c.Name)); w.Write(','); w.Write(Q(KnowledgeGraph.Key(c.Name))); w.Write(',');
                w.Write(Q(string.Join(';', c.Tuis))); w.Write(','); w.Write(c.Group is null ? string.Empty : Q(c.Group));
                w.Write(ConceptKinds.Of(c.Group, [.. c.Tuis], c.Name, c.Cui) is { } kind ? ",Concept;" + kind + "\n" : ",Concept\n");
                n++;
            }

            return n;
        });

        // one node per term key (IDs must be unique), one DENOTES per (key, concept) link: what the HTTP load writes
        var links = graph.TermLinks().ToList();
        var nodes = links.DistinctBy(t => KnowledgeGraph.Key(t.Text), StringComparer.Ordinal).ToList();
        counts["term_nodes"] = WriteFile(dir.StagingPath, "terms.csv", "key:ID(Term),text,:LABEL", w =>
        {
            foreach (var t in nodes)
            {
                w.Write(Q(KnowledgeGraph.Key(t.Text))); w.Write(','); w.Write(Q(t.Text)); w.Write(",Term\n");
            }

            return nodes.Count;
        });
        counts["terms"] = WriteFile(dir.StagingPath, "denotes.csv", ":START_ID(Term),:END_ID(Concept),:TYPE", w =>
        {
            foreach (var t in links)
            {
                w.Write(Q(KnowledgeGraph.Key(t.Text))); w.Write(','); w.Write(Q(t.Cui)); w.Write(",DENOTES\n");
            }

            return links.Count;
        });
        counts["co_occurs"] = WriteFile(dir.StagingPath, "co_occurs.csv", ":START_ID(Concept),:END_ID(Concept),task,target_term,history_term,count:long,lift:double,target_df:long,history_df:long,n:long,:TYPE", w =>
        {
            long n = 0;
            foreach (var e in graph.Cooccurrences())
            {
                var s = e.Stat;
                w.Write(Q(e.TargetCui)); w.Write(','); w.Write(Q(e.HistoryCui)); w.Write(','); w.Write(Q(s.Task)); w.Write(',');
                w.Write(Q(s.Target)); w.Write(','); w.Write(Q(s.History)); w.Write(',');
                w.Write(s.Count.ToString(CultureInfo.InvariantCulture)); w.Write(',');
                w.Write(s.Lift.ToString("R", CultureInfo.InvariantCulture)); w.Write(',');
                w.Write(s.TargetDf.ToString(CultureInfo.InvariantCulture)); w.Write(',');
                w.Write(s.HistoryDf.ToString(CultureInfo.InvariantCulture)); w.Write(',');
                w.Write(s.TaskSamples.ToString(CultureInfo.InvariantCulture)); w.Write(",CO_OCCURS\n");
                n++;
            }

            return n;
        });
        counts["umls_rel"] = WriteFile(dir.StagingPath, "umls_rel.csv", ":START_ID(Concept),:END_ID(Concept),rel,rela,sab,:TYPE", w =>
        {
            long n = 0;
            foreach (var r in graph.UmlsRelations())
            {
                w.Write(Q(r.Cui1)); w.Write(','); w.Write(Q(r.Cui2)); w.Write(','); w.Write(Q(r.Rel)); w.Write(','); w.Write(Q(r.Rela)); w.Write(','); w.Write(Q(r.Sab)); w.Write(",UMLS_REL\n");
                n++;
            }

            return n;
        });
        File.WriteAllText(Path.Combine(dir.StagingPath, "import.sh"), ImportScript, TextEncodings.Utf8NoBom);
        dir.Commit();
        return counts;
    }

    /// <summary>Quotes a CSV field (RFC 4180: double the quotes).</summary>
    internal static string Q(string s) => "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static long WriteFile(string dir, string name, string header, Func<TextWriter, long> body)
    {
        using var w = new StreamWriter(Path.Combine(dir, name), false, TextEncodings.Utf8NoBom, 1 << 16) { NewLine = "\n" };
        w.Write(header);
        w.Write('\n');
        return body(w);
    }

    private const string ImportScript = """
        #!/usr/bin/env bash
        # Bulk import of this folder into an EMPTY Neo4j database (the server must be stopped). Written by
        # `ehr-graph graph export-csv`. Apply the schema afterwards (graph-schema/schema-<version>.cypher), e.g. by
        # starting the server and running `ehr-graph graph load --schema-only`, or in Neo4j Browser.
        #   Neo4j 3.x:  NEO4J_HOME/bin/neo4j-import --into NEO4J_HOME/data/databases/graph.db ...   (3.0-3.2)
        #               NEO4J_HOME/bin/neo4j-admin import --database graph.db ...                    (3.2+)
        #   Neo4j 4.x:  NEO4J_HOME/bin/neo4j-admin import --database neo4j ...
        #   Neo4j 5.x:  NEO4J_HOME/bin/neo4j-admin database import full neo4j ...
        # Usage: import.sh NEO4J_HOME [3|4|5]
        set -euo pipefail
        home="$1"; major="${2:-3}"
        here=$(cd "$(dirname "$0")" && pwd)
        files=(--nodes "$here/concepts.csv" --nodes "$here/terms.csv"
               --relationships "$here/denotes.csv" --relationships "$here/co_occurs.csv" --relationships "$here/umls_rel.csv")
        case "$major" in
          3) if [ -x "$home/bin/neo4j-import" ]; then
               "$home/bin/neo4j-import" --into "$home/data/databases/graph.db" --multiline-fields=true --array-delimiter ';' "${files[@]}"
             else
               "$home/bin/neo4j-admin" import --database graph.db --multiline-fields=true --array-delimiter ';' "${files[@]}"
             fi ;;
          4) "$home/bin/neo4j-admin" import --database neo4j --multiline-fields=true --array-delimiter ';' "${files[@]}" ;;
          *) "$home/bin/neo4j-admin" database import full neo4j --multiline-fields=true --array-delimiter ';' "${files[@]}" ;;
        esac

        """;
}
