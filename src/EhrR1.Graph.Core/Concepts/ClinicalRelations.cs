namespace EhrR1.Graph.Core.Concepts;

/// <summary>How a relation can take part in an explanation (what the evidence grader needs to know of it).</summary>
public enum RelationRole
{
    /// <summary>Not a known relation name (a licensed release's other RELAs): walked, graded as hierarchy at best.</summary>
    Other = 0,

    /// <summary>Code mapping or synonymy (<c>mapped_to</c>, GEMs): the same idea in another code system.</summary>
    Mapping,

    /// <summary>Product ↔ ingredient: the same drug at another level of detail.</summary>
    Ingredient,

    /// <summary>Parent ↔ child (<c>isa</c>).</summary>
    Hierarchy,

    /// <summary>Code ↔ grouping category (CCS, CCSR).</summary>
    Grouping,

    /// <summary>Drug ↔ pharmacologic class (EPC, mechanism, physiologic effect, chemical class).</summary>
    DrugClass,

    /// <summary>A clinical relation: drug treats or prevents a condition, a lab result indicates a phenotype, a drug
    /// causes a side effect.</summary>
    Clinical,
}

/// <summary>
/// The relation vocabulary the open sample vocabulary writes into MRREL (RELA names follow UMLS where UMLS has the
/// idea) and the sources (SAB) that give it, with their quality rank. The vocabulary builder writes these names;
/// evidence search grades paths by them; the docs list them in <c>umls/README.md</c>.
/// </summary>
public static class ClinicalRelations
{
#pragma warning disable CS1591 // the constants are the names themselves; umls/README.md lists what each means
    // drug -> condition (UMLS RELA names, MED-RT style); written as "drug may_treat condition" pairs with inverses
    /// <summary>Drug → condition it may treat (forward row of an indication).</summary>
    public const string MayTreat = "may_treat";
    /// <summary>Condition → drug that may treat it (inverse of <see cref="MayTreat"/>).</summary>
    public const string MayBeTreatedBy = "may_be_treated_by";
    /// <summary>Drug → condition it may prevent.</summary>
    public const string MayPrevent = "may_prevent";
    /// <summary>Condition → drug that may prevent it (inverse of <see cref="MayPrevent"/>).</summary>
    public const string MayBePreventedBy = "may_be_prevented_by";

    // drug -> side effect (opt-in SIDER)
    /// <summary>Drug → side effect it may cause (opt-in SIDER 4).</summary>
    public const string MayCause = "may_cause";
    /// <summary>Side effect → drug that may cause it (inverse of <see cref="MayCause"/>).</summary>
    public const string CausedBy = "may_be_caused_by";

    // product <-> ingredient (RxNorm RELA names)
    /// <summary>Product → its ingredient.</summary>
    public const string HasIngredient = "has_ingredient";
    /// <summary>Ingredient → a product that contains it.</summary>
    public const string IngredientOf = "ingredient_of";

    // drug <-> pharmacologic class (MED-RT / UMLS RELA names)
    /// <summary>Drug → its FDA Established Pharmacologic Class.</summary>
    public const string HasEpc = "has_epc";
    /// <summary>EPC class → a drug in it.</summary>
    public const string EpcOf = "epc_of";
    /// <summary>Drug → its mechanism of action (FDA MoA class).</summary>
    public const string HasMechanismOfAction = "has_mechanism_of_action";
    /// <summary>Mechanism of action → a drug that has it.</summary>
    public const string MechanismOfActionOf = "mechanism_of_action_of";
    /// <summary>Drug → its physiologic effect (FDA PE class).</summary>
    public const string HasPhysiologicEffect = "has_physiologic_effect";
    /// <summary>Physiologic effect → a drug that has it.</summary>
    public const string PhysiologicEffectOf = "physiologic_effect_of";
    /// <summary>Drug → its chemical class (FDA Chemical/Ingredient class).</summary>
    public const string HasChemicalStructure = "has_chemical_structure";
    /// <summary>Chemical class → a drug of it.</summary>
    public const string ChemicalStructureOf = "chemical_structure_of";
    /// <summary>Drug → its MeSH pharmacological action.</summary>
    public const string HasPharmacologicAction = "has_pharmacologic_action";
    /// <summary>MeSH pharmacological action → a drug that has it.</summary>
    public const string PharmacologicActionOf = "pharmacologic_action_of";

    // code <-> grouping category (CCS / CCSR)
    /// <summary>Code → its grouping category (CCS, CCSR).</summary>
    public const string ClassifiedAs = "classified_as";
    /// <summary>Grouping category → a code in it.</summary>
    public const string Classifies = "classifies";

    // lab test result -> phenotype (opt-in LOINC2HPO)
    /// <summary>Lab test → phenotype a high result indicates.</summary>
    public const string HighResultIndicates = "high_result_indicates";
    /// <summary>Lab test → phenotype a low result indicates.</summary>
    public const string LowResultIndicates = "low_result_indicates";
    /// <summary>Lab test → phenotype an abnormal (positive or nominal) result indicates.</summary>
    public const string AbnormalResultIndicates = "abnormal_result_indicates";
    /// <summary>Phenotype → lab test whose high result indicates it (inverse of <see cref="HighResultIndicates"/>).</summary>
    public const string IndicatedByHighResult = "indicated_by_high_result";
    /// <summary>Phenotype → lab test whose low result indicates it (inverse of <see cref="LowResultIndicates"/>).</summary>
    public const string IndicatedByLowResult = "indicated_by_low_result";
    /// <summary>Phenotype → lab test whose abnormal result indicates it (inverse of <see cref="AbnormalResultIndicates"/>).</summary>
    public const string IndicatedByAbnormalResult = "indicated_by_abnormal_result";

    // hierarchy and mapping (already in the vocabulary)
    /// <summary>Parent → child row of the hierarchy (UMLS orientation: CUI2 isa CUI1).</summary>
    public const string Isa = "isa";
    /// <summary>Child → parent row of the hierarchy.</summary>
    public const string InverseIsa = "inverse_isa";
    /// <summary>Code mapping, target row.</summary>
    public const string MappedTo = "mapped_to";
    /// <summary>Code mapping, source row.</summary>
    public const string MappedFrom = "mapped_from";

    // sources (SAB) of the open relations
    /// <summary>LabeledIn (NLM): indications from FDA drug labels.</summary>
    public const string LabeledIn = "LABELEDIN";
    /// <summary>PharmacotherapyDB 1.0: physician-curated indications.</summary>
    public const string PharmacotherapyDb = "PHARMACOTHERAPYDB";
    /// <summary>DrugCentral 2016: indications, pharmacologic classes, identifiers.</summary>
    public const string DrugCentral = "DRUGCENTRAL";
    /// <summary>RxNorm: product ↔ ingredient links and names.</summary>
    public const string RxNorm = "RXNORM";
    /// <summary>AHRQ HCUP CCS (ICD-9-CM diagnoses and procedures).</summary>
    public const string Ccs = "AHRQ_CCS";
    /// <summary>AHRQ HCUP CCSR (ICD-10-CM diagnoses).</summary>
    public const string Ccsr = "AHRQ_CCSR";
    /// <summary>LOINC2HPO lab result → HPO phenotype (opt-in, research use).</summary>
    public const string Loinc2Hpo = "LOINC2HPO";
    /// <summary>MEDI indications (opt-in, CC BY-NC-SA 3.0).</summary>
    public const string Medi = "MEDI";
    /// <summary>SIDER 4 side effects (opt-in, CC BY-NC-SA 4.0).</summary>
    public const string Sider = "SIDER4";

#pragma warning restore CS1591

    private static readonly Dictionary<string, RelationRole> Roles = new(StringComparer.Ordinal)
    {
        [MayTreat] = RelationRole.Clinical,
        [MayBeTreatedBy] = RelationRole.Clinical,
        [MayPrevent] = RelationRole.Clinical,
        [MayBePreventedBy] = RelationRole.Clinical,
        [MayCause] = RelationRole.Clinical,
        [CausedBy] = RelationRole.Clinical,
        [HighResultIndicates] = RelationRole.Clinical,
        [LowResultIndicates] = RelationRole.Clinical,
        [AbnormalResultIndicates] = RelationRole.Clinical,
        [IndicatedByHighResult] = RelationRole.Clinical,
        [IndicatedByLowResult] = RelationRole.Clinical,
        [IndicatedByAbnormalResult] = RelationRole.Clinical,
        [HasIngredient] = RelationRole.Ingredient,
        [IngredientOf] = RelationRole.Ingredient,
        [HasEpc] = RelationRole.DrugClass,
        [EpcOf] = RelationRole.DrugClass,
        [HasMechanismOfAction] = RelationRole.DrugClass,
        [MechanismOfActionOf] = RelationRole.DrugClass,
        [HasPhysiologicEffect] = RelationRole.DrugClass,
        [PhysiologicEffectOf] = RelationRole.DrugClass,
        [HasChemicalStructure] = RelationRole.DrugClass,
        [ChemicalStructureOf] = RelationRole.DrugClass,
        [HasPharmacologicAction] = RelationRole.DrugClass,
        [PharmacologicActionOf] = RelationRole.DrugClass,
        [ClassifiedAs] = RelationRole.Grouping,
        [Classifies] = RelationRole.Grouping,
        [Isa] = RelationRole.Hierarchy,
        [InverseIsa] = RelationRole.Hierarchy,
        ["PAR"] = RelationRole.Hierarchy,
        ["CHD"] = RelationRole.Hierarchy,
        ["RB"] = RelationRole.Hierarchy,
        ["RN"] = RelationRole.Hierarchy,
        [MappedTo] = RelationRole.Mapping,
        [MappedFrom] = RelationRole.Mapping,
        ["SY"] = RelationRole.Mapping,
        ["same_as"] = RelationRole.Mapping,
        // UMLS RELA names a licensed release uses for the same ideas
        ["treats"] = RelationRole.Clinical,
        ["treated_by"] = RelationRole.Clinical,
        ["may_diagnose"] = RelationRole.Clinical,
        ["may_be_diagnosed_by"] = RelationRole.Clinical,
        ["tradename_of"] = RelationRole.Ingredient,
        ["has_tradename"] = RelationRole.Ingredient,
        ["form_of"] = RelationRole.Ingredient,
        ["has_form"] = RelationRole.Ingredient,
        ["precise_ingredient_of"] = RelationRole.Ingredient,
        ["has_precise_ingredient"] = RelationRole.Ingredient,
        ["constitutes"] = RelationRole.Ingredient,
        ["consists_of"] = RelationRole.Ingredient,
    };

    /// <summary>
    /// Quality rank of a source (lower is better): 0 expert-curated, 1 curated from labels or registries, 2 derived
    /// or crowd, 3 unknown. Used to rank explanations of the same grade.
    /// </summary>
    private static readonly Dictionary<string, int> SourceRanks = new(StringComparer.Ordinal)
    {
        [PharmacotherapyDb] = 0,
        [LabeledIn] = 0,
        [DrugCentral] = 1,
        [RxNorm] = 1,
        [Ccs] = 1,
        [Ccsr] = 1,
        [Loinc2Hpo] = 1,
        [Medi] = 2,
        [Sider] = 2,
    };

    /// <summary>
    /// The lab result a lab → phenotype relation needs (<see cref="LabResultFlags"/>), and whether walking its stored
    /// row forward arrives at the lab (rows read "CUI2 RELA CUI1": a <c>high_result_indicates</c> row is stored
    /// phenotype → lab, its inverse lab → phenotype); <c>null</c> for every other relation.
    /// </summary>
    public static (string Flag, bool ForwardArrivesAtLab)? LabResultOf(string relation) => relation switch
    {
        HighResultIndicates => (LabResultFlags.High, true),
        LowResultIndicates => (LabResultFlags.Low, true),
        AbnormalResultIndicates => (LabResultFlags.Abnormal, true),
        IndicatedByHighResult => (LabResultFlags.High, false),
        IndicatedByLowResult => (LabResultFlags.Low, false),
        IndicatedByAbnormalResult => (LabResultFlags.Abnormal, false),
        _ => null,
    };

    /// <summary>The inverse name of a lab → phenotype relation (<c>high_result_indicates</c> → <c>indicated_by_high_result</c>).</summary>
    public static string InverseOfLabResult(string relation) => relation switch
    {
        HighResultIndicates => IndicatedByHighResult,
        LowResultIndicates => IndicatedByLowResult,
        AbnormalResultIndicates => IndicatedByAbnormalResult,
        _ => throw new ArgumentOutOfRangeException(nameof(relation), relation, "not a lab result relation"),
    };

    /// <summary>The role of a RELA (or, where the RELA is empty, REL) name.</summary>
    public static RelationRole RoleOf(string relation) => Roles.TryGetValue(relation, out var role) ? role : RelationRole.Other;

    /// <summary>Quality rank of a source name (SAB). A relation that two sources give is ranked by the grader as
    /// expert-curated.</summary>
    public static int SourceRank(string sab)
    {
        return SourceRanks.TryGetValue(sab, out var rank) ? rank : 3;
    }
}
