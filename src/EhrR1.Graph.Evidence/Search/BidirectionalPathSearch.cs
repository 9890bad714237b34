using EhrR1.Graph.Evidence.Graph;

namespace EhrR1.Graph.Evidence.Search;

/// <summary>
/// Layered bidirectional breadth-first search between two nodes of a <see cref="RelationGraph"/>, walking every
/// relation in either direction. Not thread-safe: one instance per thread (it owns O(nodes) scratch arrays that are
/// reused across searches through generation stamps, so a search costs only what it touches).
/// <para>
/// Semantics (docs/evidence.md has the full comparison with upstream):
/// the side with the smaller frontier expands one complete layer at a time; every hop examined from a node of one
/// side to a node of the other side's tree is a meeting; after the layer in which the first meeting happens, the
/// meetings of minimal total length are the shortest paths and the search stops. "Explored" counts nodes added to
/// either tree (the two ends excluded); when it would exceed the budget the search stops. A side whose depth reached
/// the per-side hop limit stops expanding. The sibling rule is applied to every hop as it is added to a tree and at
/// the meeting node, identically on both sides. Paths with a repeated node are never returned. Unless
/// <see cref="SearchSettings.KeepPairCooccurrence"/> is set, the <c>co_occurs</c> hops between the two ends of the
/// searched pair (either direction) are skipped, so the pair's own co-occurrence edge is never its evidence.
/// </para>
/// </summary>
internal sealed class BidirectionalPathSearch
{
    private readonly RelationGraph _graph;
    private readonly SearchSettings _settings;
    private readonly int[] _stampF;
    private readonly int[] _stampB;
    private readonly int[] _parentHopF; // hop index (into Targets) used to reach the node, -1 for the root
    private readonly int[] _parentHopB;
    private readonly int[] _parentNodeF;
    private readonly int[] _parentNodeB;
    private readonly short[] _depthF;
    private readonly short[] _depthB;
    private readonly List<int> _frontierF = [];
    private readonly List<int> _frontierB = [];
    private readonly List<int> _next = [];
    private readonly List<(int FromF, int Hop, int ToB)> _meetings = [];
    private readonly int _pairLabel; // label id of co_occurs when the pair's own co-occurrence edge is skipped, else -1
    private int _start;
    private int _end;
    private int _generation;

    public BidirectionalPathSearch(RelationGraph graph, SearchSettings settings)
    {
        _graph = graph;
        _settings = settings;
        var n = graph.NodeCount;
        _stampF = new int[n];
        _stampB = new int[n];
        _parentHopF = new int[n];
        _parentHopB = new int[n];
        _parentNodeF = new int[n];
        _parentNodeB = new int[n];
        _depthF = new short[n];
        _depthB = new short[n];
        _pairLabel = settings.KeepPairCooccurrence ? -1 : graph.LabelId(RelationGraph.CooccurLabel);
    }

    public PairSearchResult Search(int start, int end)
    {
        if (start < 0 || end < 0 || start >= _graph.NodeCount || end >= _graph.NodeCount)
        {
            return PairSearchResult.NotInGraph;
        }

        if (start == end)
        {
            return new PairSearchResult(SearchOutcome.Found, [new GraphPath([start], [])], 0, false);
        }

        NextGeneration();
        var gen = _generation;
        _start = start;
        _end = end;
        _stampF[start] = gen;
        _depthF[start] = 0;
        _parentHopF[start] = -1;
        _parentNodeF[start] = -1;
        _stampB[end] = gen;
        _depthB[end] = 0;
        _parentHopB[end] = -1;
        _parentNodeB[end] = -1;
        _frontierF.Clear();
        _frontierF.Add(start);
        _frontierB.Clear();
        _frontierB.Add(end);
        _meetings.Clear();

        int depthF = 0, depthB = 0, explored = 0, best = int.MaxValue;
        var budgetHit = false;
        var maxSide = _settings.MaxHopsPerSide;
        while (true)
        {
            var canF = _frontierF.Count > 0 && depthF < maxSide;
            var canB = _frontierB.Count > 0 && depthB < maxSide;
            if (!canF || !canB)
            {
                // A side that cannot grow any more still meets the other side's future layers only through hops
                // examined from the other side, so keep expanding the side that can.
                if (!canF && !canB)
                {
                    break;
                }

                if ((!canF && _frontierF.Count == 0) || (!canB && _frontierB.Count == 0))
                {
                    break; // one tree is complete and disconnected from the other: no path
                }
            }

            var forward = canF && (!canB || _frontierF.Count <= _frontierB.Count);
            var layerDepth = forward ? depthF : depthB;
            if (best != int.MaxValue && best <= depthF + depthB + 1)
            {
                break;
            }

            budgetHit = ExpandLayer(forward, gen, ref explored, ref best);
            if (forward)
            {
                depthF = layerDepth + 1;
            }
            else
            {
                depthB = layerDepth + 1;
            }

            if (budgetHit || _meetings.Count > 0)
            {
                break;
            }
        }

        if (_meetings.Count == 0)
        {
            return new PairSearchResult(budgetHit ? SearchOutcome.BudgetExceeded : SearchOutcome.NoPath, [], explored, false);
        }

        var paths = new List<GraphPath>(Math.Min(_meetings.Count, _settings.MaxPaths));
        foreach (var meeting in _meetings)
        {
            var path = Assemble(meeting.FromF, meeting.Hop, meeting.ToB);
            if (path is not null && path.Length == best)
            {
                paths.Add(path);
                if (paths.Count >= Math.Max(1, _settings.MaxPaths))
                {
                    break;
                }
            }
        }

        return paths.Count == 0
            ? new PairSearchResult(budgetHit ? SearchOutcome.BudgetExceeded : SearchOutcome.NoPath, [], explored, false)
            : new PairSearchResult(SearchOutcome.Found, paths, explored, budgetHit);
    }

    /// <summary>Expands one full layer; returns true when the explored budget ran out.</summary>
    private bool ExpandLayer(bool forward, int gen, ref int explored, ref int best)
    {
        var g = _graph;
        var offsets = g.Offsets;
        var targets = g.Targets;
        var labelDirs = g.LabelDirs;
        var frontier = forward ? _frontierF : _frontierB;
        var ownStamp = forward ? _stampF : _stampB;
        var otherStamp = forward ? _stampB : _stampF;
        var ownDepth = forward ? _depthF : _depthB;
        var otherDepth = forward ? _depthB : _depthF;
        var ownParentHop = forward ? _parentHopF : _parentHopB;
        var ownParentNode = forward ? _parentNodeF : _parentNodeB;
        var otherParentHop = forward ? _parentHopB : _parentHopF;
        var sibling = _settings.RejectSiblingHops;
        var budget = _settings.MaxExploredNodes;
        _next.Clear();
        foreach (var x in frontier)
        {
            var inHop = ownParentHop[x];
            var inLabelDir = inHop >= 0 ? labelDirs[inHop] : -1;
            var dx = ownDepth[x];

            // The pair's own co_occurs edge: only a hop from one end straight to the other can be it.
            var blockedEnd = _pairLabel < 0 ? -1 : x == _start ? _end : x == _end ? _start : -1;
            for (var h = offsets[x]; h < offsets[x + 1]; h++)
            {
                var ld = labelDirs[h];
                if (sibling && inLabelDir >= 0 && IsSibling(inLabelDir, ld))
                {
                    continue;
                }

                var y = targets[h];
                if (y == blockedEnd && (ld >> 1) == _pairLabel)
                {
                    continue;
                }
                if (otherStamp[y] == gen)
                {
                    // Meeting hop x -> y. At y, the other side's tree hop (parent -> y) and this hop (x -> y) are
                    // both stored relative to y's neighbours; a sibling pattern is the same label, same direction.
                    var otherHop = otherParentHop[y];
                    var ok = !sibling || otherHop < 0 || labelDirs[otherHop] != ld;
                    if (ok)
                    {
                        var length = dx + 1 + otherDepth[y];
                        if (length < best)
                        {
                            best = length;
                            _meetings.Clear();
                        }

                        if (length == best && _meetings.Count < 4 * Math.Max(1, _settings.MaxPaths))
                        {
                            _meetings.Add(forward ? (x, h, y) : (y, ReverseHopIndex(x, h, y), x));
                        }
                    }
                }

                if (ownStamp[y] == gen)
                {
                    continue;
                }

                if (explored >= budget)
                {
                    return true;
                }

                explored++;
                ownStamp[y] = gen;
                ownDepth[y] = (short)(dx + 1);
                ownParentHop[y] = h;
                ownParentNode[y] = x;
                _next.Add(y);
            }
        }

        frontier.Clear();
        frontier.AddRange(_next);
        return false;
    }

    // Two consecutive hops through B, seen from B's adjacency: in-hop (stored from the previous node to B) and
    // out-hop (from B to the next node). In path order both hops carry (label, reverse?). The in-hop entry we keep is
    // the one in the previous node's list (prev -> B); the out-hop is in B's list (B -> next). Same label with
    // opposite direction flags means both neighbours relate to B the same way.
    private static bool IsSibling(int inLabelDir, int outLabelDir) =>
        (inLabelDir >> 1) == (outLabelDir >> 1) && (inLabelDir & 1) != (outLabelDir & 1);

    /// <summary>The index of the hop <paramref name="to"/> → <paramref name="from"/> mirroring hop <paramref name="h"/>.</summary>
    private int ReverseHopIndex(int from, int h, int to)
    {
        var ld = _graph.LabelDirs[h] ^ 1;
        var offsets = _graph.Offsets;
        var targets = _graph.Targets;
        var labelDirs = _graph.LabelDirs;
        for (var i = offsets[to]; i < offsets[to + 1]; i++)
        {
            if (targets[i] == from && labelDirs[i] == ld)
            {
                return i;
            }
        }

        throw new InvalidOperationException("The adjacency is not symmetric.");
    }

    /// <summary>Forward tree path to <paramref name="x"/>, the meeting hop, backward tree path from <paramref name="y"/>.</summary>
    private GraphPath? Assemble(int x, int hop, int y)
    {
        var labelDirs = _graph.LabelDirs;
        var nodes = new List<int>();
        var hops = new List<int>();
        var cur = x;
        while (_parentNodeF[cur] >= 0)
        {
            nodes.Add(cur);
            hops.Add(labelDirs[_parentHopF[cur]]);
            cur = _parentNodeF[cur];
        }

        nodes.Add(cur);
        nodes.Reverse();
        hops.Reverse();
        hops.Add(labelDirs[hop]);
        cur = y;
        nodes.Add(cur);
        while (_parentNodeB[cur] >= 0)
        {
            // The backward tree stored the hop parent -> cur; in path order we walk cur -> parent, the mirror hop.
            hops.Add(labelDirs[_parentHopB[cur]] ^ 1);
            cur = _parentNodeB[cur];
            nodes.Add(cur);
        }

        var seen = new HashSet<int>();
        foreach (var node in nodes)
        {
            if (!seen.Add(node))
            {
                return null;
            }
        }

        return new GraphPath([.. nodes], [.. hops]);
    }

    private void NextGeneration()
    {
        _generation++;
        if (_generation == int.MaxValue)
        {
            Array.Clear(_stampF);
            Array.Clear(_stampB);
            _generation = 1;
        }
    }
}
