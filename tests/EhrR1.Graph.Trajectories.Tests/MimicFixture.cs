using System.IO.Compression;
using System.Text;

namespace EhrR1.Graph.Trajectories.Tests;

/// <summary>Writes small MIMIC-IV-layout folders (our own rows) for tests.</summary>
internal static class MimicFixture
{
    public static void Write(string root, string relativePath, string content, bool gzip = false)
    {
        var path = Path.Combine(root, relativePath + (gzip ? ".csv.gz" : ".csv"));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var bytes = Encoding.UTF8.GetBytes(content);
        if (gzip)
        {
            using var fs = File.Create(path);
            using var gz = new GZipStream(fs, CompressionLevel.Optimal);
            gz.Write(bytes);
        }
        else
        {
            File.WriteAllBytes(path, bytes);
        }
    }

    public static void WriteBytes(string root, string relativeFile, byte[] bytes)
    {
        var path = Path.Combine(root, relativeFile);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>A minimal hosp/ module: two patients and one admission.</summary>
    public static void WriteMinimalHosp(string root)
    {
        Write(root, "hosp/patients", "subject_id,gender,anchor_age,anchor_year,anchor_year_group,dod\n1,F,40,2150,2011 - 2013,\n2,M,70,2150,2011 - 2013,\n");
        Write(root, "hosp/admissions",
            "subject_id,hadm_id,admittime,dischtime,deathtime,admission_type,admission_location,discharge_location\n" +
            "1,100,2150-01-01 10:00:00,2150-01-05 12:00:00,,EW EMER.,EMERGENCY ROOM,HOME\n");
    }

    /// <summary>hosp + ed + note modules for one patient with two admissions (see ordering test).</summary>
    public static void WriteEdAndNote(string root)
    {
        Write(root, "hosp/patients", "subject_id,gender,anchor_age,anchor_year,anchor_year_group,dod\n1,F,40,2150,2011 - 2013,\n2,M,70,2150,2011 - 2013,\n", gzip: true);
        Write(root, "hosp/admissions",
            "subject_id,hadm_id,admittime,dischtime,deathtime,admission_type,admission_location,discharge_location\n" +
            "1,100,2150-01-01 10:00:00,2150-01-05 12:00:00,,EW EMER.,EMERGENCY ROOM,HOME\n" +
            "1,101,2150-03-01 08:00:00,2150-03-02 08:00:00,,ELECTIVE,PHYSICIAN REFERRAL,HOME\n");
        Write(root, "hosp/diagnoses_icd",
            "subject_id,hadm_id,seq_num,icd_code,icd_version\n1,999,1,E119,10\n1,100,1,4019,9\n1,101,1,I10,10\n1,100,2,0000,9\n");
        Write(root, "hosp/drgcodes", "subject_id,hadm_id,drg_type,drg_code,description,drg_severity,drg_mortality\n1,100,HCFA,864,FEVER,,\n");
        Write(root, "hosp/d_icd_diagnoses", "icd_code,icd_version,long_title\n4019,9,Unspecified essential hypertension\nI10,10,Essential (primary) hypertension\nE119,10,Type 2 diabetes mellitus without complications\n");
        Write(root, "hosp/labevents",
            "labevent_id,subject_id,hadm_id,specimen_id,itemid,order_provider_id,charttime,storetime,value,valuenum,valueuom,ref_range_lower,ref_range_upper,flag,priority,comments\r\n" +
            "1,1,100,5,50808,,2150-01-02 06:00:00,,1.1,1.1,mmol/L,1.1,1.3,,ROUTINE,\"Comment, with comma and \"\"quotes\"\"\nand a newline\"\r\n" +
            "2,1,,6,50808,,2150-01-01 09:00:00,,1.2,1.2,mmol/L,1.1,1.3,,ROUTINE,\r\n");
        Write(root, "hosp/d_labitems", "itemid,label,fluid,category\n50808,Free Calcium,Blood,Blood Gas\n");
        Write(root, "ed/edstays",
            "subject_id,hadm_id,stay_id,intime,outtime,gender,race,arrival_transport,disposition\n1,100,500,2150-01-01 07:00:00,2150-01-01 10:30:00,F,WHITE,AMBULANCE,ADMITTED\n");
        Write(root, "ed/triage",
            "subject_id,stay_id,temperature,heartrate,resprate,o2sat,sbp,dbp,pain,acuity,chiefcomplaint\n1,500,98.6,80,16,99,120,80,0,2,Chest pain\n");
        Write(root, "ed/vitalsign",
            "subject_id,stay_id,charttime,temperature,heartrate,resprate,o2sat,sbp,dbp,rhythm,pain\n1,500,2150-01-01 08:00:00,98.7,82,18,98,118,79,,1\n");
        Write(root, "ed/diagnosis",
            "subject_id,stay_id,seq_num,icd_code,icd_version,icd_title\n1,500,1,R079,10,\"CHEST PAIN, UNSPECIFIED\"\n");
        Write(root, "ed/medrecon",
            "subject_id,stay_id,charttime,name,gsn,ndc,etc_rn,etccode,etcdescription\n1,500,2150-01-01 07:30:00,Aspirin,123,17714001110,1,1,Salicylates\n");
        Write(root, "ed/pyxis", "subject_id,stay_id,charttime,med_rn,name,gsn_rn,gsn\n1,500,2150-01-01 09:00:00,1,Aspirin,1,123\n");
        Write(root, "note/discharge",
            "note_id,subject_id,hadm_id,note_type,note_seq,charttime,storetime,text\n1-DS-1,1,100,DS,1,2150-01-05 12:00:00,,\"Discharge text, line 1\nline 2\"\n");
        Write(root, "note/radiology",
            "note_id,subject_id,hadm_id,note_type,note_seq,charttime,storetime,text\n1-RR-1,1,100,RR,1,2150-01-01 11:00:00,,CXR text\n");
        Write(root, "note/radiology_detail",
            "note_id,subject_id,field_name,field_value,field_ordinal\n1-RR-1,1,exam_name,CHEST (PA AND LAT),1\n1-RR-1,1,cpt_code,71020,1\n1-RR-1,1,exam_name,ABDOMEN (SUPINE ONLY),2\n");
    }
}
