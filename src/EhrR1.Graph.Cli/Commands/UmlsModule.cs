using System.CommandLine;
using System.Text.Json;
using EhrR1.Graph.Cli.Hosting;
using EhrR1.Graph.Core;
using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Umls.Indexing;
using EhrR1.Graph.Umls.Matching;
using EhrR1.Graph.Umls.Rrf;
using EhrR1.Graph.Umls.Sample;
using EhrR1.Graph.Umls.Text;
using Microsoft.Extensions.Logging;

namespace EhrR1.Graph.Cli.Commands;

/// <summary><c>ehr-graph umls build-sample | build-index | match | resolve</c>.</summary>
internal sealed class UmlsModule : ICliModule
{
    public void Register(CommandTree tree, CliContext context)
    {
        var group = tree.Group("umls", "UMLS vocabulary: open sample vocabulary, Lucene index, QuickUMLS-style matching, term resolution.");
        group.Subcommands.Add(BuildSample(context));
        group.Subcommands.Add(BuildIndex(context));
        group.Subcommands.Add(Match(context));
        group.Subcommands.Add(Resolve(context));
    }

    private static Command BuildSample(CliContext context)
    {
        var data = new Option<DirectoryInfo?>("--data") { Description = "Shared open data folder (holds mimic-iv-demo-2.2/, vocab-*/, umls-semantic-network/; default: $EHRR1_DATA or ../shared/data)" };
        var output = new Option<DirectoryInfo>("--out") { Description = "Output folder for the RRF files (e.g. runs/demo/vocab)", Required = true };
        var noMimic = new Option<bool>("--no-mimic-labels") { Description = "Leave out MIMIC display labels as synonyms (default: included)" };
        var relations = new Option<string?>("--relations")
        {
            Description = "Opt-in relation sources to add, comma-separated: " + string.Join(", ", RelationSources.OptIn.Select(s => s.Name))
                + " (default none; their non-commercial / research-use terms then apply to the output). The default sources (LabeledIn, PharmacotherapyDB, DrugCentral, RxNorm, AHRQ CCS/CCSR) are always on",
        };
        var force = new Option<bool>("--force") { Description = "Replace an existing output folder" };
        var cmd = new Command("build-sample", "Build the open sample vocabulary (MRCONSO/MRSTY/MRREL/MRFILES.RRF) from the open data.") { data, output, noMimic, relations, force };
        cmd.SetAction(async (parse, ct) =>
        {
            var dataDir = parse.GetValue(data)?.FullName ?? DataLocations.FindDataRoot()
                ?? throw new StageConfigurationException("No data folder: pass --data or set EHRR1_DATA to the shared open data folder.");
            var settings = new SampleVocabularySettings
            {
                DataDirectory = dataDir,
                OutputDirectory = parse.GetValue(output)!.FullName,
                IncludeMimicLabels = !parse.GetValue(noMimic),
                OptInRelations = RelationSources.Parse(parse.GetValue(relations)),
                Force = parse.GetValue(force),
            };
            using var logs = context.CreateLoggerFactory();
            var logger = logs.CreateLogger<OpenVocabularyBuilder>();
            var report = await context.CreateProgress("build-sample").RunAsync(p => new OpenVocabularyBuilder().BuildAsync(settings, p, ct, logger));
            context.WriteReport(report);
            return 0;
        });
        return cmd;
    }

    private static Command BuildIndex(CliContext context)
    {
        var rrf = new Option<DirectoryInfo>("--rrf") { Description = "Folder with MRCONSO.RRF and MRSTY.RRF (a UMLS release's META folder or build-sample output)", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Index folder to create", Required = true };
        var languages = new Option<string>("--languages") { Description = "Comma-separated LAT values to keep, or 'all'", DefaultValueFactory = _ => "ENG" };
        var includeSab = new Option<string?>("--include-sab") { Description = "Comma-separated source vocabularies to keep (default: all)" };
        var excludeSab = new Option<string?>("--exclude-sab") { Description = "Comma-separated source vocabularies to drop (default: none)" };
        var suppress = new Option<string>("--keep-suppress") { Description = "Comma-separated SUPPRESS values to keep: N, O, E, Y", DefaultValueFactory = _ => "N" };
        var types = new Option<string?>("--semantic-types") { Description = "Comma-separated TUIs; only concepts with one of them are indexed (default: all)" };
        var groups = new Option<FileInfo?>("--semantic-groups") { Description = "SemGroups.txt (default: beside the RRF files, else the shared Semantic Network folder)" };
        var keepCase = new Option<bool>("--keep-case") { Description = "Do not lowercase (default: lowercase)" };
        var noFold = new Option<bool>("--no-ascii-folding") { Description = "Do not fold Unicode to ASCII (default: fold)" };
        var minLength = new Option<int>("--min-length") { Description = "Minimum normalised string length to index", DefaultValueFactory = _ => 3 };
        var ngram = new Option<int>("--ngram") { Description = "Character n-gram length", DefaultValueFactory = _ => 3 };
        var marks = new Option<bool>("--begin-end-marks") { Description = "Pad strings with n-1 begin/end marks before taking n-grams (SimString be=true; default false as in QuickUMLS)" };
        var ram = new Option<double>("--ram-buffer-mb") { Description = "Lucene RAM buffer in MiB", DefaultValueFactory = _ => 256 };
        var noMerge = new Option<bool>("--no-force-merge") { Description = "Skip the final merge into one segment (default: merge)" };
        var force = new Option<bool>("--force") { Description = "Replace an existing index folder" };
        var cmd = new Command("build-index", "Build the Lucene index the matcher and resolver use, from RRF files, in bounded memory.")
        {
            rrf, output, languages, includeSab, excludeSab, suppress, types, groups, keepCase, noFold, minLength, ngram, marks, ram, noMerge, force,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var settings = new IndexBuildSettings
            {
                RrfDirectory = parse.GetValue(rrf)!.FullName,
                OutputDirectory = parse.GetValue(output)!.FullName,
                SemanticGroupsFile = parse.GetValue(groups)?.FullName,
                Filter = new RrfFilterSettings
                {
                    Languages = ParseSet(parse.GetValue(languages), allowAll: true),
                    IncludeSources = ParseSet(parse.GetValue(includeSab)),
                    ExcludeSources = ParseSet(parse.GetValue(excludeSab)),
                    KeepSuppress = ParseSet(parse.GetValue(suppress)),
                    SemanticTypes = ParseSet(parse.GetValue(types)),
                },
                Normalization = new NormalizationSettings
                {
                    Lowercase = !parse.GetValue(keepCase),
                    FoldToAscii = !parse.GetValue(noFold),
                    MinLength = parse.GetValue(minLength),
                    NgramLength = parse.GetValue(ngram),
                    BeginEndMarks = parse.GetValue(marks),
                },
                RamBufferMb = parse.GetValue(ram),
                ForceMerge = !parse.GetValue(noMerge),
                Force = parse.GetValue(force),
            };
            using var loggers = context.CreateLoggerFactory();
            var builder = new UmlsIndexBuilder(loggers.CreateLogger("umls"));
            var report = await context.CreateProgress("build-index").RunAsync(p => builder.BuildAsync(settings, p, ct));
            context.WriteReport(report);
            return 0;
        });
        return cmd;
    }

    internal static (Option<string> Similarity, Option<double> Threshold, Option<int> Window, Option<int> MinMatch, Option<string> Overlap,
        Option<bool> AllSpans, Option<string> Types, Option<bool> Upstream, Option<int> MaxCandidates) MatcherOptions()
    {
        return (
            new Option<string>("--similarity") { Description = "jaccard | cosine | dice | overlap", DefaultValueFactory = _ => "jaccard" },
            new Option<double>("--threshold") { Description = "Minimum similarity", DefaultValueFactory = _ => 0.7 },
            new Option<int>("--window") { Description = "Maximum tokens per span", DefaultValueFactory = _ => 5 },
            new Option<int>("--min-match-length") { Description = "Minimum span length in characters", DefaultValueFactory = _ => 3 },
            new Option<string>("--overlapping-criteria") { Description = "score | length", DefaultValueFactory = _ => "score" },
            new Option<bool>("--all-spans") { Description = "Return overlapping spans too (QuickUMLS best_match=False; default off)" },
            new Option<string>("--semantic-types") { Description = "Accepted TUIs, comma-separated, 'quickumls' (the 27 defaults) or 'all'", DefaultValueFactory = _ => "quickumls" },
            new Option<bool>("--upstream-ranking") { Description = "Rank candidates by similarity + preferred flag as QuickUMLS does (default: similarity, then preferred)" },
            new Option<int>("--max-candidates") { Description = "Candidates kept per span, 0 = all", DefaultValueFactory = _ => 0 });
    }

    internal static MatcherSettings ReadMatcherSettings(ParseResult parse, (Option<string> Similarity, Option<double> Threshold, Option<int> Window, Option<int> MinMatch,
        Option<string> Overlap, Option<bool> AllSpans, Option<string> Types, Option<bool> Upstream, Option<int> MaxCandidates) o)
    {
        var types = parse.GetValue(o.Types) ?? "quickumls";
        return new MatcherSettings
        {
            Similarity = Similarity.Parse(parse.GetValue(o.Similarity) ?? "jaccard"),
            Threshold = parse.GetValue(o.Threshold),
            Window = parse.GetValue(o.Window),
            MinMatchLength = parse.GetValue(o.MinMatch),
            OverlappingCriteria = (parse.GetValue(o.Overlap) ?? "score") switch
            {
                "score" => OverlapCriterion.Score,
                "length" => OverlapCriterion.Length,
                var v => throw new StageConfigurationException($"--overlapping-criteria must be score or length; got '{v}'."),
            },
            BestMatch = !parse.GetValue(o.AllSpans),
            AcceptedSemanticTypes = types switch
            {
                "quickumls" => MatcherSettings.QuickUmlsSemanticTypes,
                "all" => null,
                _ => ParseSet(types),
            },
            Ranking = parse.GetValue(o.Upstream) ? CandidateRanking.Upstream : CandidateRanking.SimilarityThenPreferred,
            MaxCandidates = parse.GetValue(o.MaxCandidates),
        };
    }

    private static Command Match(CliContext context)
    {
        var index = new Option<DirectoryInfo>("--index") { Description = "Index folder from 'umls build-index'", Required = true };
        var text = new Option<string?>("--text") { Description = "Text to match" };
        var file = new Option<FileInfo?>("--file") { Description = "UTF-8 text file to match (one document)" };
        var o = MatcherOptions();
        var cmd = new Command("match", "Find every non-overlapping concept span in a text and print the spans with ranked candidates as JSON.")
        {
            index, text, file, o.Similarity, o.Threshold, o.Window, o.MinMatch, o.Overlap, o.AllSpans, o.Types, o.Upstream, o.MaxCandidates,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var input = parse.GetValue(text);
            if (parse.GetValue(file) is { } f)
            {
                input = input is null ? await File.ReadAllTextAsync(f.FullName, ct)
                    : throw new StageConfigurationException("Pass either --text or --file, not both.");
            }

            if (input is null)
            {
                throw new StageConfigurationException("Pass --text or --file.");
            }

            using var umls = UmlsIndex.Open(parse.GetValue(index)!.FullName);
            var matcher = new UmlsMatcher(umls, ReadMatcherSettings(parse, o));
            var spans = matcher.Match(input, ct);
            context.Output.WriteLine(JsonSerializer.Serialize(spans.Select(ToJson), JsonDefaults.Indented));
            return 0;
        });
        return cmd;
    }

    private static Command Resolve(CliContext context)
    {
        var index = new Option<DirectoryInfo>("--index") { Description = "Index folder from 'umls build-index'", Required = true };
        var terms = new Option<string[]>("--term") { Description = "Term to resolve (repeatable)", Required = true, AllowMultipleArgumentsPerToken = true };
        var o = MatcherOptions();
        var cmd = new Command("resolve", "Resolve terms to concepts (exact name, then phrase query, then approximate match); prints one JSON object per term.")
        {
            index, terms, o.Similarity, o.Threshold,
        };
        cmd.SetAction((parse, ct) =>
        {
            using var umls = UmlsIndex.Open(parse.GetValue(index)!.FullName);
            var settings = new MatcherSettings
            {
                Similarity = Similarity.Parse(parse.GetValue(o.Similarity) ?? "jaccard"),
                Threshold = parse.GetValue(o.Threshold),
                AcceptedSemanticTypes = null,
            };
            using var resolver = new UmlsResolver(umls, settings);
            foreach (var term in parse.GetValue(terms) ?? [])
            {
                ct.ThrowIfCancellationRequested();
                var r = resolver.Resolve(term);
                context.Output.WriteLine(JsonSerializer.Serialize(new
                {
                    term,
                    cui = r?.Cui,
                    name = r?.Name,
                    method = r?.Method,
                    score = r?.Score,
                    tuis = r?.Tuis,
                }, JsonDefaults.Jsonl));
            }

            return Task.FromResult(0);
        });
        return cmd;
    }

    private static object ToJson(ConceptSpan s) => new
    {
        start = s.Start,
        end = s.End,
        text = s.Text,
        candidates = s.Candidates.Select(c => new { cui = c.Cui, term = c.Term, similarity = Math.Round(c.Similarity, 6), preferred = c.Preferred, tuis = c.Tuis }),
    };

    private static HashSet<string> ParseSet(string? value, bool allowAll = false)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(value) || (allowAll && string.Equals(value, "all", StringComparison.OrdinalIgnoreCase)))
        {
            return set;
        }

        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            set.Add(part);
        }

        return set;
    }
}
