namespace EhrR1.Graph.Trajectories.Ingest;

/// <summary>How a table's row time is obtained (upstream §1 A2, without its bugs).</summary>
internal enum TimeRule
{
    /// <summary>The first non-empty of <see cref="TableSpec.TimeFields"/>.</summary>
    Column,

    /// <summary>The <c>patients</c> row: always first in the trajectory.</summary>
    First,

    /// <summary>No time of its own (diagnoses_icd, drgcodes): placed after its admission's rows.</summary>
    Untimed,

    /// <summary>ED triage: the ED stay's intime + 1 s.</summary>
    EdStayInPlusOne,

    /// <summary>ED diagnosis: the ED stay's outtime.</summary>
    EdStayOut,
}

/// <summary>Which derived keys a table gets at ingestion (upstream §4.3).</summary>
internal enum Derivation
{
    None,
    LabItem,
    IcuItem,
    IcdDiagnosis,
    IcdProcedure,
    EdDiagnosisCcs,
    PrescriptionAtc,
    MedreconAtc,
    RadiologyExam,
}

/// <summary>An event table of a MIMIC-IV module and how it is ordered and joined.</summary>
internal sealed record TableSpec(
    string Module,
    string Name,
    int Source,
    int Rank,
    TimeRule Rule,
    string[] TimeFields,
    Derivation Derivation,
    string[] ExtraRequired)
{
    /// <summary>The derived scalar keys appended after the source columns.</summary>
    public string[] DerivedColumns => Derivation switch
    {
        Derivation.LabItem or Derivation.IcuItem => ["item_name"],
        Derivation.IcdDiagnosis => ["diagnoses", "CCS Type"],
        Derivation.IcdProcedure => ["procedures", "CCS Type"],
        Derivation.EdDiagnosisCcs => ["CCS Type"],
        Derivation.PrescriptionAtc or Derivation.MedreconAtc => ["ATC Type"],
        _ => [],
    };

    /// <summary>The derived list keys appended after the scalar keys.</summary>
    public string[] DerivedLists => Derivation == Derivation.RadiologyExam ? ["exam_name"] : [];

    /// <summary>True when the table's times are dates (rendered at 00:00:00).</summary>
    public bool IsDateOnly => Name is "omr" or "procedures_icd" or "hcpcsevents";

    public string RelativePath => Module + "/" + Name;
}
