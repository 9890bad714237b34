using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Evidence.Graph;
using EhrR1.Graph.Evidence.Search;
using QuikGraph;
using QuikGraph.Algorithms.Search;

namespace EhrR1.Graph.Evidence.Tests;

public sealed class BidirectionalPathSearchTests
{
    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (var s = 1; s <= 60; s++)
        {
            data.Add(s);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Should_ReturnAShortestValidPath_When_OneExistsWithinBudget(int seed)
    {
        // Given a random graph, QuikGraph's undirected BFS distances over the non-excluded relations as reference
        var rng = new Random(seed * 7919);
        var nodes = 20 + rng.Next(300);
        var rows = RandomGraphs.Rows(seed, nodes, nodes + rng.Next(nodes * 2), labelCount: 7);
        var graph = RandomGraphs.Build(nodes, rows);
        var kept = rows.Where(r => !EvidenceDefaults.ExcludedRelas.Contains(r.Rela) && r.Cui1 != r.Cui2).ToList();
        var reference = new UndirectedGraph<string, TaggedUndirectedEdge<string, string>>(allowParallelEdges: true);
        reference.AddVertexRange(Enumerable.Range(0, nodes).Select(RandomGraphs.Cui));
        reference.AddEdgeRange(kept.Select(r => new TaggedUndirectedEdge<string, string>(Min(r.Cui1, r.Cui2), Max(r.Cui1, r.Cui2), r.Rela)));
        var search = new BidirectionalPathSearch(graph, new SearchSettings { MaxExploredNodes = int.MaxValue, MaxHopsPerSide = 1000, RejectSiblingHops = false, MaxPaths = 5 });

        for (var q = 0; q < 25; q++)
        {
            var a = RandomGraphs.Cui(rng.Next(nodes));
            var b = RandomGraphs.Cui(rng.Next(nodes));
            var distances = BfsDistances(reference, a);

            // When
            var result = search.Search(graph.NodeOf(a), graph.NodeOf(b));

            // Then
            if (a == b)
            {
                result.Paths.Should().ContainSingle().Which.Length.Should().Be(0);
                continue;
            }

            if (!distances.TryGetValue(b, out var expected))
            {
                result.Outcome.Should().Be(SearchOutcome.NoPath, "{0} and {1} are not connected (seed {2})", a, b, seed);
                continue;
            }

            result.Outcome.Should().Be(SearchOutcome.Found);
            result.Truncated.Should().BeFalse();
            result.Paths.Should().NotBeEmpty().And.HaveCountLessThanOrEqualTo(5);
            foreach (var path in result.Paths)
            {
                path.Length.Should().Be(expected, "the bidirectional search must return shortest paths (seed {0}, {1}→{2})", seed, a, b);
                AssertValid(graph, kept, path, graph.NodeOf(a), graph.NodeOf(b), siblingRule: false);
            }

            result.Paths.Select(p => string.Join(",", p.Nodes) + "|" + string.Join(",", p.Hops)).Should().OnlyHaveUniqueItems();
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Should_RespectBudgetsAndRelationRules_When_BudgetsAreTight(int seed)
    {
        // Given
        var rng = new Random(seed * 104729);
        var nodes = 50 + rng.Next(500);
        var rows = RandomGraphs.Rows(seed + 1000, nodes, nodes * 2, labelCount: 3 + (seed % 5));
        var graph = RandomGraphs.Build(nodes, rows);
        var kept = rows.Where(r => !EvidenceDefaults.ExcludedRelas.Contains(r.Rela) && r.Cui1 != r.Cui2).ToList();
        var settings = new SearchSettings { MaxExploredNodes = 5 + rng.Next(60), MaxHopsPerSide = 1 + rng.Next(4), RejectSiblingHops = true, MaxPaths = 3 };
        var search = new BidirectionalPathSearch(graph, settings);
        var unbounded = new BidirectionalPathSearch(graph, new SearchSettings { MaxExploredNodes = int.MaxValue, MaxHopsPerSide = 1000, RejectSiblingHops = false });

        for (var q = 0; q < 25; q++)
        {
            var a = rng.Next(graph.NodeCount);
            var b = rng.Next(graph.NodeCount);
            if (a == b)
            {
                continue;
            }

            // When
            var result = search.Search(a, b);

            // Then
            result.Explored.Should().BeLessThanOrEqualTo(settings.MaxExploredNodes);
            result.Paths.Count.Should().BeLessThanOrEqualTo(settings.MaxPaths);
            var shortest = unbounded.Search(a, b);
            foreach (var path in result.Paths)
            {
                path.Length.Should().BeLessThanOrEqualTo(2 * settings.MaxHopsPerSide);
                AssertValid(graph, kept, path, a, b, siblingRule: true);
                shortest.Outcome.Should().Be(SearchOutcome.Found);
                path.Length.Should().BeGreaterThanOrEqualTo(shortest.Paths[0].Length);
            }

            if (result.Outcome == SearchOutcome.Found)
            {
                result.Paths.Should().NotBeEmpty();
            }
        }
    }

    [Fact]
    public void Should_RejectSiblingHops_When_TwoConceptsOnlyShareAParent()
    {
        // Given A -isa-> P <-isa- C (siblings) and a longer honest route A -may_treat-> X -may_treat-> Y -isa-> C
        var rows = new List<UmlsRelation>
        {
            new("C1", "CP", "PAR", "isa", "T"),
            new("C2", "CP", "PAR", "isa", "T"),
            new("C1", "CX", "RO", "may_treat", "T"),
            new("CX", "CY", "RO", "may_treat", "T"),
            new("CY", "C2", "RO", "isa", "T"),
        };
        var graph = Build(rows);
        var withRule = new BidirectionalPathSearch(graph, new SearchSettings());
        var withoutRule = new BidirectionalPathSearch(graph, new SearchSettings { RejectSiblingHops = false });

        // When
        var ruled = withRule.Search(graph.NodeOf("C1"), graph.NodeOf("C2"));
        var free = withoutRule.Search(graph.NodeOf("C1"), graph.NodeOf("C2"));

        // Then
        free.Paths[0].Nodes.Select(n => graph.Cuis[n]).Should().Equal("C1", "CP", "C2");
        ruled.Outcome.Should().Be(SearchOutcome.Found);
        ruled.Paths[0].Nodes.Select(n => graph.Cuis[n]).Should().Equal("C1", "CX", "CY", "C2");
        ruled.Paths[0].Hops.Select(h => RelationGraph.IsReverse(h)).Should().Equal(false, false, false);
    }

    [Fact]
    public void Should_ApplySiblingRuleOnBothSides_When_TheMeetingIsOnTheBackwardSide()
    {
        // Given only the sibling route between the ends, in both orientations (parent -> children too)
        var rows = new List<UmlsRelation>
        {
            new("CP", "C1", "CHD", "inverse_isa", "T"),
            new("CP", "C2", "CHD", "inverse_isa", "T"),
        };
        var graph = Build(rows);
        var search = new BidirectionalPathSearch(graph, new SearchSettings());

        // When searching either way
        var ab = search.Search(graph.NodeOf("C1"), graph.NodeOf("C2"));
        var ba = search.Search(graph.NodeOf("C2"), graph.NodeOf("C1"));

        // Then neither direction accepts C1 <-r- P -r-> C2
        ab.Outcome.Should().Be(SearchOutcome.NoPath);
        ba.Outcome.Should().Be(SearchOutcome.NoPath);
    }

    [Fact]
    public void Should_NeverTraverseExcludedRelations_When_TheyAreTheOnlyLink()
    {
        // Given
        var rows = new List<UmlsRelation>
        {
            new("C1", "C2", "RO", "Has contraindicated drug", "T"),
            new("C2", "C3", "RO", "may_treat", "T"),
        };
        var graph = Build(rows);
        var search = new BidirectionalPathSearch(graph, new SearchSettings());

        // When
        var result = search.Search(graph.NodeOf("C1"), graph.NodeOf("C3"));

        // Then
        result.Outcome.Should().Be(SearchOutcome.NoPath);
    }

    [Fact]
    public void Should_SkipThePairsOwnCooccurrenceEdge_When_SearchingThatPair()
    {
        // Given T and H joined by their own co_occurs edges (both directions) and by a detour through X
        var rows = new List<UmlsRelation>
        {
            new("T", "H", "CO", RelationGraph.CooccurLabel, "T"),
            new("H", "T", "CO", RelationGraph.CooccurLabel, "T"),
            new("T", "X", "CO", RelationGraph.CooccurLabel, "T"),
            new("X", "H", "RO", "may_treat", "T"),
            new("Y", "T", "RO", "isa", "T"),
        };
        var graph = Build(rows);
        var skip = new BidirectionalPathSearch(graph, new SearchSettings());
        var keep = new BidirectionalPathSearch(graph, new SearchSettings { KeepPairCooccurrence = true });

        // When
        var th = skip.Search(graph.NodeOf("T"), graph.NodeOf("H"));
        var ht = skip.Search(graph.NodeOf("H"), graph.NodeOf("T"));
        var kept = keep.Search(graph.NodeOf("T"), graph.NodeOf("H"));
        var other = skip.Search(graph.NodeOf("Y"), graph.NodeOf("H"));

        // Then the pair's own edge is no path in either direction; the detour is
        th.Paths[0].Nodes.Select(n => graph.Cuis[n]).Should().Equal("T", "X", "H");
        ht.Paths[0].Nodes.Select(n => graph.Cuis[n]).Should().Equal("H", "X", "T");
        th.Paths.Should().OnlyContain(p => p.Length == 2);

        // With the switch the one-hop path is back; another pair still walks the T-H edge
        kept.Paths[0].Nodes.Select(n => graph.Cuis[n]).Should().Equal("T", "H");
        graph.Labels[RelationGraph.Label(kept.Paths[0].Hops[0])].Should().Be(RelationGraph.CooccurLabel);
        other.Paths[0].Nodes.Select(n => graph.Cuis[n]).Should().Equal("Y", "T", "H");
    }

    [Fact]
    public void Should_KeepADirectUmlsRelation_When_ThePairAlsoCooccurs()
    {
        // Given T and H related in UMLS and co-occurring
        var graph = Build([new("T", "H", "CO", RelationGraph.CooccurLabel, "T"), new("H", "T", "RO", "may_treat", "T")]);
        var search = new BidirectionalPathSearch(graph, new SearchSettings());

        // When
        var result = search.Search(graph.NodeOf("T"), graph.NodeOf("H"));

        // Then the UMLS relation is the evidence
        result.Paths.Should().ContainSingle().Which.Length.Should().Be(1);
        graph.Labels[RelationGraph.Label(result.Paths[0].Hops[0])].Should().Be("may_treat");
        RelationGraph.IsReverse(result.Paths[0].Hops[0]).Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Should_ReturnAShortestPathAvoidingThePairEdge_When_CooccurrenceEdgesAreMixedIn(int seed)
    {
        // Given a random graph where a third of the relations are co_occurs edges
        var rng = new Random(seed * 104_729);
        var nodes = 20 + rng.Next(200);
        var rows = RandomGraphs.Rows(seed, nodes, nodes + rng.Next(nodes * 2), labelCount: 5)
            .Select(r => rng.Next(3) == 0 ? r with { Rela = RelationGraph.CooccurLabel } : r)
            .Where(r => r.Cui1 != r.Cui2)
            .ToList();
        var graph = RandomGraphs.Build(nodes, rows);
        var search = new BidirectionalPathSearch(graph, new SearchSettings { MaxExploredNodes = int.MaxValue, MaxHopsPerSide = 1000, RejectSiblingHops = false });
        for (var q = 0; q < 10; q++)
        {
            var a = RandomGraphs.Cui(rng.Next(nodes));
            var b = RandomGraphs.Cui(rng.Next(nodes));
            if (a == b)
            {
                continue;
            }

            // The reference: undirected BFS without the co_occurs edges between a and b
            var reference = new UndirectedGraph<string, TaggedUndirectedEdge<string, string>>(allowParallelEdges: true);
            reference.AddVertexRange(Enumerable.Range(0, nodes).Select(RandomGraphs.Cui));
            reference.AddEdgeRange(rows
                .Where(r => !(r.Rela == RelationGraph.CooccurLabel && ((r.Cui1 == a && r.Cui2 == b) || (r.Cui1 == b && r.Cui2 == a))))
                .Select(r => new TaggedUndirectedEdge<string, string>(Min(r.Cui1, r.Cui2), Max(r.Cui1, r.Cui2), r.Rela)));
            var distances = BfsDistances(reference, a);

            // When
            var result = search.Search(graph.NodeOf(a), graph.NodeOf(b));

            // Then
            if (!distances.TryGetValue(b, out var expected))
            {
                result.Outcome.Should().Be(SearchOutcome.NoPath, "{0} and {1} are joined only by their own co_occurs edge (seed {2})", a, b, seed);
                continue;
            }

            result.Outcome.Should().Be(SearchOutcome.Found);
            result.Paths.Should().OnlyContain(p => p.Length == expected, "seed {0}, {1} -> {2}", seed, a, b);
            result.Paths.Should().OnlyContain(p => p.Length > 1 || graph.Labels[RelationGraph.Label(p.Hops[0])] != RelationGraph.CooccurLabel);
        }
    }

    [Fact]
    public void Should_ReportBudgetExceeded_When_TheEndsAreFartherThanTheBudgetAllows()
    {
        // Given a chain of 40 nodes
        var rows = Enumerable.Range(0, 39).Select(i => new UmlsRelation(RandomGraphs.Cui(i), RandomGraphs.Cui(i + 1), "RO", "may_treat", "T")).ToList();
        var graph = Build(rows);
        var search = new BidirectionalPathSearch(graph, new SearchSettings { MaxExploredNodes = 10, MaxHopsPerSide = 100 });

        // When
        var result = search.Search(graph.NodeOf(RandomGraphs.Cui(0)), graph.NodeOf(RandomGraphs.Cui(39)));

        // Then
        result.Outcome.Should().Be(SearchOutcome.BudgetExceeded);
        result.Explored.Should().Be(10);
    }

    private static RelationGraph Build(IEnumerable<UmlsRelation> rows)
    {
        var builder = new RelationGraphBuilder();
        foreach (var r in rows)
        {
            builder.AddRelation(r);
        }

        return builder.Build();
    }

    private static Dictionary<string, int> BfsDistances(UndirectedGraph<string, TaggedUndirectedEdge<string, string>> g, string source)
    {
        var distances = new Dictionary<string, int>(StringComparer.Ordinal) { [source] = 0 };
        var bfs = new UndirectedBreadthFirstSearchAlgorithm<string, TaggedUndirectedEdge<string, string>>(g);
        bfs.TreeEdge += (_, e) => distances[e.Target] = distances[e.Source] + 1;
        bfs.SetRootVertex(source);
        bfs.Compute();
        return distances;
    }

    private static string Min(string a, string b) => string.CompareOrdinal(a, b) <= 0 ? a : b;

    private static string Max(string a, string b) => string.CompareOrdinal(a, b) <= 0 ? b : a;

    private static void AssertValid(RelationGraph graph, List<UmlsRelation> kept, GraphPath path, int start, int end, bool siblingRule)
    {
        path.Nodes[0].Should().Be(start);
        path.Nodes[^1].Should().Be(end);
        path.Nodes.Should().OnlyHaveUniqueItems("a path never repeats a node");
        path.Hops.Length.Should().Be(path.Nodes.Length - 1);
        var stored = kept.Select(r => (r.Cui1, r.Cui2, r.Rela)).ToHashSet();
        for (var i = 0; i < path.Hops.Length; i++)
        {
            var from = graph.Cuis[path.Nodes[i]];
            var to = graph.Cuis[path.Nodes[i + 1]];
            var label = graph.Labels[RelationGraph.Label(path.Hops[i])];
            EvidenceDefaults.ExcludedRelas.Should().NotContain(label);
            var row = RelationGraph.IsReverse(path.Hops[i]) ? (to, from, label) : (from, to, label);
            stored.Should().Contain(row, "every hop must be a stored relation walked in its recorded direction");
            if (siblingRule && i > 0)
            {
                var prev = path.Hops[i - 1];
                var sibling = RelationGraph.Label(prev) == RelationGraph.Label(path.Hops[i]) && RelationGraph.IsReverse(prev) != RelationGraph.IsReverse(path.Hops[i]);
                sibling.Should().BeFalse("the sibling rule rejects A -r-> B <-r- C and A <-r- B -r-> C");
            }
        }
    }
}
