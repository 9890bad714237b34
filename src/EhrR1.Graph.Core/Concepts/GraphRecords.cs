namespace EhrR1.Graph.Core.Concepts;

/// <summary>A concept node of the knowledge graph.</summary>
/// <param name="Cui">Concept unique identifier (a real UMLS CUI, or a project-minted id).</param>
/// <param name="Name">Preferred name.</param>
/// <param name="Tuis">Semantic types.</param>
/// <param name="Group">Semantic group (e.g. DISO, CHEM), or null.</param>
public sealed record GraphConcept(string Cui, string Name, IReadOnlyList<string> Tuis, string? Group);

/// <summary>
/// A UMLS relation row (MRREL). Orientation as in MRREL: the relation reads "CUI2 has <see cref="Rela"/> to CUI1"
/// in UMLS terms; the graph stores it as an edge from <see cref="Cui1"/> to <see cref="Cui2"/>.
/// </summary>
/// <param name="Cui1">First concept.</param>
/// <param name="Cui2">Second concept.</param>
/// <param name="Rel">Relation (PAR, CHD, RB, RN, RO, SY, ...).</param>
/// <param name="Rela">Relation attribute (e.g. may_treat), possibly empty.</param>
/// <param name="Sab">Source vocabulary.</param>
public sealed record UmlsRelation(string Cui1, string Cui2, string Rel, string Rela, string Sab);

/// <summary>Co-occurrence statistics of a target concept and a history concept within one task.</summary>
/// <param name="Task">Decision-making task name.</param>
/// <param name="Target">Target concept (its display string).</param>
/// <param name="History">History concept (its display string).</param>
/// <param name="Count">Samples in which both occur.</param>
/// <param name="TargetDf">Samples in which the target occurs.</param>
/// <param name="HistoryDf">Samples in which the history concept occurs.</param>
/// <param name="TaskSamples">Samples of the task counted.</param>
/// <param name="Lift">count · N / (df(target) · df(history)).</param>
public sealed record CooccurrenceStat(string Task, string Target, string History, long Count, long TargetDf, long HistoryDf, long TaskSamples, double Lift);
