using EhrR1.Graph.Trajectories.Model;
using EhrR1.Graph.Trajectories.Rendering;

namespace EhrR1.Graph.Trajectories.Tests;

public sealed class EventRendererTests
{
    private static EventItem Item(params (string Key, string? Value)[] kv) =>
        new(kv.Select(x => x.Key).ToArray(), kv.Select(x => x.Value).ToArray());

    [Fact]
    public void Should_RenderKeyValueLines_When_EventHasOneItem()
    {
        var ev = new EhrEvent("patients", null, null, null, [Item(("subject_id", "1"), ("gender", "F"), ("anchor_age", "52"))]);
        EventRenderer.Render(ev).Should().Be("## Patient Demographics [None]\n- Anchor_Age: 52\n- Gender: F");
    }

    [Fact]
    public void Should_RenderMarkdownTableWithNanAndNone_When_EventHasSeveralItems()
    {
        var a = Item(("itemid", "50808"), ("item_name", "Free Calcium"), ("valuenum", "1.1"), ("valueuom", null));
        var b = Item(("itemid", "99999"), ("item_name", null), ("valuenum", null), ("valueuom", "mg"));
        var ev = new EhrEvent("labevents", new DateTime(2150, 1, 2, 6, 0, 0), null, 100, [a, b]);
        EventRenderer.Render(ev).Should().Be(
            "## Labotary Test Events [2150-01-02 06:00:00]\n" +
            "| Item_Name | Valuenum | Valueuom | Ref_Range_Lower | Ref_Range_Upper | Flag | Comments |\n" +
            "| ------ | ------ | ------ | ------ | ------ | ------ | ------ |\n" +
            "| Free Calcium | 1.1 | nan | None | None | None | None |\n" +
            "| None | nan | mg | None | None | None | None |");
    }

    [Fact]
    public void Should_RenderPythonTitleAndListRepr_When_KeysAndListsAreSpecial()
    {
        var triage = new EhrEvent("triage", new DateTime(2150, 1, 1, 7, 0, 1), null, null, [Item(("o2sat", "99"), ("chiefcomplaint", "Chest pain"))]);
        EventRenderer.Render(triage).Should().Contain("- O2Sat: 99").And.Contain("- Chiefcomplaint: Chest pain").And.Contain("- Sbp: None");
        var lists = new Dictionary<string, string[]>(StringComparer.Ordinal) { ["exam_name"] = ["CHEST (PA AND LAT)", "O'BRIEN VIEW"] };
        var rad = new EhrEvent("radiology", new DateTime(2150, 1, 1), null, null, [new EventItem(["note_type", "text"], ["RR", "x"], lists)]);
        EventRenderer.Render(rad).Should().Contain("- Exam_Name: ['CHEST (PA AND LAT)', \"O'BRIEN VIEW\"]");
        var px = new EhrEvent("procedures_icd", new DateTime(2150, 1, 1), null, null, [Item(("procedures", "X"), ("CCS Type", null))]);
        EventRenderer.Render(px).Should().Be("## Procedures on International Classification of Diseases [2150-01-01 00:00:00]\n- Procedures: X\n- Ccs Type: None");
    }

    [Fact]
    public void Should_JoinWithBlankLinesAndSkipUnrendered_When_RenderingWindow()
    {
        var t = new PatientTrajectory(1,
        [
            new EhrEvent("patients", null, null, null, [Item(("anchor_age", "1"), ("gender", "M"))]),
            new EhrEvent("drgcodes", null, null, 5, [Item(("drg_code", "1"))]),
            new EhrEvent("services", new DateTime(2150, 1, 1, 1, 2, 3), null, 5, [Item(("curr_service", "MED"))]),
        ]);
        EventRenderer.RenderWindow(t, 0, 3).Should().Be("## Patient Demographics [None]\n- Anchor_Age: 1\n- Gender: M\n\n\n\n## Services [2150-01-01 01:02:03]\n- Curr_Service: MED");
        EventRenderer.RenderWindow(t, 0, 3, skipUnrendered: true).Should().Be("## Patient Demographics [None]\n- Anchor_Age: 1\n- Gender: M\n\n## Services [2150-01-01 01:02:03]\n- Curr_Service: MED");
        EventRenderer.RenderWindow(t, 2, 99).Should().StartWith("## Services");
    }
}
