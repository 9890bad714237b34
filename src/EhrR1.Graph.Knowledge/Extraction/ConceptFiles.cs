using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;

namespace EhrR1.Graph.Knowledge.Extraction;

/// <summary>The output of <c>ehr-graph concepts extract</c>: <c>events.jsonl</c>, one patient per line, ascending subject id.</summary>
public static class ConceptFiles
{
    public const string EventsFile = "events.jsonl";

    /// <summary>Streams the patients of <paramref name="dir"/>; checks the subject order.</summary>
    public static IEnumerable<PatientConcepts> ReadPatients(string dir)
    {
        var path = Path.Combine(dir, EventsFile);
        if (!File.Exists(path))
        {
            throw new InputDataException("EHR-GR-030", path, null, null, "the event concepts file does not exist", fix: "Run `ehr-graph concepts extract` first and pass its --out folder");
        }

        long previous = long.MinValue;
        foreach (var (line, p) in JsonlReader.Read<PatientConcepts>(path))
        {
            if (p.Events is null)
            {
                throw new InputDataException("EHR-GR-031", path, line, "events", "the record has no events list", "a JSON object with subject_id and events");
            }

            if (p.SubjectId <= previous)
            {
                throw new InputDataException("EHR-GR-032", path, line, "subject_id", "subject ids are not in ascending order", "ascending subject ids", fix: "Re-run `ehr-graph concepts extract`; do not edit or concatenate its output");
            }

            previous = p.SubjectId;
            yield return p;
        }
    }
}
