using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Knowledge.Graph;

namespace EhrR1.Graph.Knowledge.Tests;

/// <summary>Small hand-made graphs for tests.</summary>
internal static class Some
{
    /// <summary>Hypokalemia (C1) —may_be_treated_by→ Potassium chloride (C2); C2 —isa→ Potassium (C3); co-occurrence C2→C1 in prescriptions.</summary>
    public static KnowledgeGraph SmallGraph() =>
        new KnowledgeGraphBuilder()
            .AddConcept(new GraphConcept("C0020621", "Hypokalemia", ["T047"], "DISO"))
            .AddConcept(new GraphConcept("C0032825", "Potassium Chloride", ["T121", "T197"], "CHEM"))
            .AddConcept(new GraphConcept("C0032821", "Potassium", ["T196"], "CHEM"))
            .AddUmlsRelation(new UmlsRelation("C0020621", "C0032825", "RO", "may_be_treated_by", "MED-RT"))
            .AddUmlsRelation(new UmlsRelation("C0032825", "C0020621", "RO", "may_treat", "MED-RT"))
            .AddUmlsRelation(new UmlsRelation("C0032825", "C0032821", "PAR", "", "MSH"))
            .AddTerm(new GraphTerm("Potassium Chloride", "C0032825"))
            .AddTerm(new GraphTerm("Potassium, Whole Blood", "C0032821"))
            .AddTerm(new GraphTerm("K+ low", "C0020621"))
            .AddCooccurrence(Co("prescriptions", "C0032825", "C0020621", "Potassium Chloride", "K+ low", count: 8, lift: 12.5))
            .AddCooccurrence(Co("prescriptions", "C0032825", "C0032821", "Potassium Chloride", "Potassium, Whole Blood", count: 20, lift: 6.0))
            .AddCooccurrence(Co("labevents", "C0032821", "C0032825", "Potassium, Whole Blood", "Potassium Chloride", count: 9, lift: 7.5))
            .Build();

    public static CooccurrenceEdge Co(string task, string a, string b, string ta, string tb, long count, double lift) =>
        new(a, b, new CooccurrenceStat(task, ta, tb, count, 10, 12, 100, lift));
}
