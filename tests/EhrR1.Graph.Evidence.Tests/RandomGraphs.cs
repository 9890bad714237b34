using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Evidence.Graph;

namespace EhrR1.Graph.Evidence.Tests;

/// <summary>Seeded random relation graphs of a few shapes (sparse, clustered, hub-heavy), with a few labels.</summary>
internal static class RandomGraphs
{
    public static readonly string[] Labels = ["isa", "inverse_isa", "may_treat", "may_be_treated_by", "has_finding_site", "subset includes concept", "Has contraindicated drug"];

    public static string Cui(int i) => "C" + i.ToString("D7", System.Globalization.CultureInfo.InvariantCulture);

    public static List<UmlsRelation> Rows(int seed, int nodes, int edges, int labelCount)
    {
        var rng = new Random(seed);
        var rows = new List<UmlsRelation>(edges);
        var shape = seed % 3;
        for (var e = 0; e < edges; e++)
        {
            int a, b;
            switch (shape)
            {
                case 0:
                    a = rng.Next(nodes);
                    b = rng.Next(nodes);
                    break;
                case 1: // clustered: mostly local edges
                    a = rng.Next(nodes);
                    b = Math.Clamp(a + rng.Next(-5, 6), 0, nodes - 1);
                    break;
                default: // hubs
                    a = rng.Next(Math.Max(1, nodes / 20));
                    b = rng.Next(nodes);
                    break;
            }

            var label = Labels[rng.Next(Math.Min(labelCount, Labels.Length))];
            rows.Add(new UmlsRelation(Cui(a), Cui(b), "RO", label, "TEST"));
        }

        return rows;
    }

    public static RelationGraph Build(int nodes, IEnumerable<UmlsRelation> rows, IEnumerable<string>? excluded = null)
    {
        var builder = new RelationGraphBuilder(excluded);
        for (var i = 0; i < nodes; i++)
        {
            builder.AddConcept(Cui(i), "concept " + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        foreach (var r in rows)
        {
            builder.AddRelation(r);
        }

        return builder.Build();
    }
}
