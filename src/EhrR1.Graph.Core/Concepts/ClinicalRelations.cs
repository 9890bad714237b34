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
    public const string MayTreat = "may_treat";
    public const string MayBeTreatedBy = "may_be_treated_by";
    public const string MayPrevent = "may_prevent";
    public const string MayBePreventedBy = "may_be_prevented_by";

    // drug -> side effect (opt-in SIDER)
    public const string MayCause = "may_cause";
    public const string CausedBy = "cause_of";

    // product <-> ingredient (RxNorm RELA names)
    public const string HasIngredient = "has_ingredient";
    public const string IngredientOf = "ingredient_of";

    // drug <-> pharmacologic class (MED-RT / UMLS RELA names)
    public const string HasEpc = "has_epc";
    public const string EpcOf = "epc_of";
    public const string HasMechanismOfAction = "has_mechanism_of_action";
    public const string MechanismOfActionOf = "mechanism_of_action_of";
    public const string HasPhysiologicEffect = "has_physiologic_effect";
    public const string PhysiologicEffectOf = "physiologic_effect_of";
    public const string HasChemicalStructure = "has_chemical_structure";
    public const string ChemicalStructureOf = "chemical_structure_of";
    public const string HasPharmacologicAction = "has_pharmacologic_action";
    public const string PharmacologicActionOf = "pharmacologic_action_of";

    // code <-> grouping category (CCS / CCSR)
    public const string ClassifiedAs = "classified_as";
    public const string Classifies = "classifies";

    // lab test result -> phenotype (opt-in LOINC2HPO)
    public const string HighResultIndicates = "high_result_indicates";
    public const string LowResultIndicates = "low_result_indicates";
    public const string AbnormalResultIndicates = "abnormal_result_indicates";
    public const string IndicatedByLabResult = "indicated_by_lab_result";

    // hierarchy and mapping (already in the vocabulary)
    public const string Isa = "isa";
    public const string InverseIsa = "inverse_isa";
    public const string MappedTo = "mapped_to";
    public const string MappedFrom = "mapped_from";

    // sources (SAB) of the open relations
    public const string LabeledIn = "LABELEDIN";
    public const string PharmacotherapyDb = "PHARMACOTHERAPYDB";
    public const string DrugCentral = "DRUGCENTRAL";
    public const string RxNorm = "RXNORM";
    public const string Ccs = "AHRQ_CCS";
    public const string Ccsr = "AHRQ_CCSR";
    public const string Loinc2Hpo = "LOINC2HPO";
    public const string Medi = "MEDI";
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
        [IndicatedByLabResult] = RelationRole.Clinical,
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

    /// <summary>The role of a RELA (or, where the RELA is empty, REL) name.</summary>
    public static RelationRole RoleOf(string relation) => Roles.TryGetValue(relation, out var role) ? role : RelationRole.Other;

    /// <summary>Quality rank of a source name (SAB). A relation that two sources give is ranked by the grader as
    /// expert-curated.</summary>
    public static int SourceRank(string sab)
    {
        return SourceRanks.TryGetValue(sab, out var rank) ? rank : 3;
    }
}
