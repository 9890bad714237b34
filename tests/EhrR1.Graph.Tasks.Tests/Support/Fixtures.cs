using EhrR1.Graph.Trajectories.Model;
using static EhrR1.Graph.Tasks.Tests.Support.TrajectoryBuilder;

namespace EhrR1.Graph.Tasks.Tests.Support;

/// <summary>
/// Hand-made patients, one per group of rules (the event indices are referred to by the tests):
/// 1 = two admissions with an interleaved event of another admission, notes, transfers, diagnoses (untimed, after the
/// admission's last timed event, where ingest places them);
/// 2 = ED visit leading to an admission, ICU stay and death; 3 = two ED visits without admission;
/// 4 = ICU readmission within one admission and death the next day.
/// </summary>
internal static class Fixtures
{
    public static PatientTrajectory TwoAdmissions() => new TrajectoryBuilder(1)
        .Patient()
        .Add("admissions", "2180-01-01 08:00:00", 100, Row("admittime", "2180-01-01 08:00:00", "dischtime", "2180-01-01 19:00:00", "admission_type", "EW EMER.", "admission_location", "EMERGENCY ROOM"))
        .Add("labevents", "2180-01-01 09:00:00", 100, Row("item_name", "Glucose", "valuenum", "110"), Row("item_name", "Sodium", "valuenum", "140"), Row("item_name", "Glucose", "valuenum", "120"), Row("item_name", null, "valuenum", "1"))
        .Add("labevents", "2180-01-01 09:30:00", 300, Row("item_name", "Troponin T"))
        .Add("omr", "2180-01-01 09:40:00", null, Row("result_name", "Weight (Lbs)", "result_value", "150"))
        .Add("labevents", "2180-01-01 10:00:00", 100, Row("item_name", "Potassium"))
        .Add("transfers", "2180-01-01 11:00:00", 100, Row("eventtype", "admit", "careunit", "Medicine"), Row("eventtype", "transfer", "careunit", null))
        .Add("radiology", "2180-01-01 12:00:00", 100, Radiology("Report one.", "CHEST (PA AND LAT)"), Radiology("Report two.", "CT HEAD", "CHEST (PA AND LAT)"))
        .Add("discharge", "2180-01-01 20:00:00", 100, Row("note_type", "DS", "text", "Discharge note A."))
        .Add("diagnoses_icd", null, 100, Row("diagnoses", "Sepsis", "CCS Type", "Septicemia"), Row("diagnoses", "Pneumonia", "CCS Type", "Pneumonia"), Row("diagnoses", "Sepsis", "CCS Type", "Septicemia"))
        .Add("admissions", "2180-01-20 08:00:00", 200, Row("admittime", "2180-01-20 08:00:00", "dischtime", "2180-01-25 08:00:00", "admission_type", "URGENT", "admission_location", "TRANSFER FROM HOSPITAL"))
        .Add("labevents", "2180-01-20 09:00:00", 200, Row("item_name", "Glucose"))
        .Build();

    public static PatientTrajectory EdToIcuAndDeath() => new TrajectoryBuilder(2)
        .Patient(dod: "2181-03-10")
        .Add("edstays", "2181-03-01 10:00:00", 500, Row("stay_id", "9000", "intime", "2181-03-01 10:00:00", "outtime", "2181-03-01 16:00:00", "gender", "F", "race", "WHITE"))
        .Add("triage", "2181-03-01 10:00:01", null, Row("stay_id", "9000", "chiefcomplaint", "Chest pain", "acuity", "2"))
        .Add("medrecon", "2181-03-01 10:30:00", null, Row("stay_id", "9000", "name", "Aspirin", "ATC Type", "ANTITHROMBOTIC AGENTS"), Row("stay_id", "9000", "name", "Lisinopril", "ATC Type", "ACE INHIBITORS, PLAIN"))
        .Add("vitalsign", "2181-03-01 11:00:00", null, Row("stay_id", "9000", "heartrate", "98"))
        .Add("pyxis", "2181-03-01 11:30:00", null, Row("stay_id", "9000", "name", "Morphine"))
        .Add("admissions", "2181-03-01 14:00:00", 500, Row("admittime", "2181-03-01 14:00:00", "dischtime", "2181-03-10 12:00:00", "admission_type", "EW EMER."))
        .Add("diagnosis", "2181-03-01 16:00:00", null, Row("stay_id", "9000", "icd_title", "Chest pain, unspecified", "CCS Type", "Nonspecific chest pain"))
        .Add("icustays", "2181-03-01 20:00:00", 500, Row("stay_id", "7000", "intime", "2181-03-01 20:00:00", "outtime", "2181-03-09 20:00:00"))
        .Add("chartevents", "2181-03-01 21:00:00", 500, Row("item_name", "Heart Rate"))
        .Add("labevents", "2181-03-10 06:00:00", 500, Row("item_name", "Troponin T"))
        .Build();

    public static PatientTrajectory TwoEdVisits() => new TrajectoryBuilder(3)
        .Patient()
        .Add("edstays", "2182-05-01 10:00:00", null, Row("stay_id", "1", "intime", "2182-05-01 10:00:00", "outtime", "2182-05-01 14:00:00"))
        .Add("triage", "2182-05-01 10:00:01", null, Row("stay_id", "1", "chiefcomplaint", "Headache"))
        .Add("vitalsign", "2182-05-01 11:00:00", null, Row("stay_id", "1", "heartrate", "80"))
        .Add("diagnosis", "2182-05-01 14:00:00", null, Row("stay_id", "1", "icd_title", "Headache", "CCS Type", "Headache; including migraine"))
        .Add("edstays", "2182-05-03 09:00:00", null, Row("stay_id", "2", "intime", "2182-05-03 09:00:00", "outtime", "2182-05-03 12:00:00"))
        .Add("triage", "2182-05-03 09:00:01", null, Row("stay_id", "2", "chiefcomplaint", "Headache"))
        .Add("diagnosis", "2182-05-03 12:00:00", null, Row("stay_id", "2", "icd_title", "Migraine", "CCS Type", "Headache; including migraine"))
        .Build();

    public static PatientTrajectory IcuReadmission() => new TrajectoryBuilder(4)
        .Patient(dod: "2183-01-03")
        .Add("admissions", "2183-01-01 00:00:00", 700, Row("admittime", "2183-01-01 00:00:00", "dischtime", "2183-01-03 10:00:00", "admission_type", "EW EMER."))
        .Add("icustays", "2183-01-01 02:00:00", 700, Row("intime", "2183-01-01 02:00:00", "outtime", "2183-01-01 20:00:00"))
        .Add("chartevents", "2183-01-01 03:00:00", 700, Row("item_name", "Heart Rate"))
        .Add("icustays", "2183-01-02 01:00:00", 700, Row("intime", "2183-01-02 01:00:00", "outtime", "2183-01-02 22:00:00"))
        .Add("chartevents", "2183-01-02 23:00:00", 700, Row("item_name", "Heart Rate"), Row("item_name", "Respiratory Rate"))
        .Build();

    /// <summary>
    /// Issue 22 point 4: an hcpcsevents row dated at midnight just before its admission (the admission's only earlier
    /// event within 24 h), an admission and an ICU stay with no same-admission event but hcpcs in the next 24 h, and an
    /// ED stay with nothing before its outtime. Not in <see cref="All"/>.
    /// </summary>
    public static PatientTrajectory LoneAnchorsAndMidnightHcpcs() => new TrajectoryBuilder(5)
        .Patient()
        .Add("hcpcsevents", "2184-02-01 00:00:00", 800, Row("short_description", "Observation"))
        .Add("admissions", "2184-02-01 07:00:00", 800, Row("admittime", "2184-02-01 07:00:00", "dischtime", "2184-02-06 12:00:00", "admission_type", "DIRECT OBSERVATION"))
        .Add("labevents", "2184-02-02 09:00:00", 800, Row("item_name", "Glucose"))
        .Add("icustays", "2184-02-03 10:00:00", 800, Row("stay_id", "7100", "intime", "2184-02-03 10:00:00", "outtime", "2184-02-04 10:00:00"))
        .Add("hcpcsevents", "2184-02-04 00:00:00", 800, Row("short_description", "Critical care"))
        .Add("labevents", "2184-02-04 11:00:00", 800, Row("item_name", "Sodium"))
        .Add("edstays", "2184-03-01 10:00:00", null, Row("stay_id", "8100", "intime", "2184-03-01 10:00:00", "outtime", "2184-03-01 12:00:00"))
        .Add("labevents", "2184-03-01 13:00:00", null, Row("item_name", "Potassium"))
        .Build();

    public static IReadOnlyList<PatientTrajectory> All() => [TwoAdmissions(), EdToIcuAndDeath(), TwoEdVisits(), IcuReadmission()];
}
