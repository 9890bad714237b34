using EhrR1.Graph.Core;
using EhrR1.Graph.Tasks.Definitions;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Tasks.Tests.Definitions;

public sealed class TaskCatalogTests
{
    [Fact]
    public void Should_Have28DecisionAnd18RiskTasks_When_Listed()
    {
        TaskCatalog.DecisionCount.Should().Be(28);
        TaskCatalog.RiskCount.Should().Be(18);
        TaskCatalog.All.Select(t => t.Name).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void Should_UseTheUpstreamInstructionTemplate_When_TaskIsDecisionMaking()
    {
        var labs = TaskCatalog.ByName["labevents"];
        labs.Instruction.Should().Be("Given the sequence of events that have occurred in a hospital, please give the next Labotary Test Events suggestion for the patients.");
        TaskCatalog.ByName["next_event"].Instruction.Should().EndWith("please give the next event suggestion for the patients.");
        TaskCatalog.All.Where(t => t.IsRisk).Should().OnlyContain(t => t.Instruction.Contains("please predict whether", StringComparison.Ordinal) && t.Metric == "aucroc");
    }

    [Fact]
    public void Should_HideDischargeNotes_When_TaskPredictsDiagnoses()
    {
        foreach (var name in new[] { "diagnoses_icd", "diagnoses_ccs", "diagnosis", "diagnosis_ccs" })
        {
            TaskCatalog.ByName[name].Hides("discharge").Should().BeTrue(name);
        }

        TaskCatalog.All.Where(t => !t.BidEvents.IsEmpty).Should().HaveCount(4);
    }

    [Fact]
    public void Should_BindBothIcdAndCcsTasks_When_EventIsDiagnosesIcd()
    {
        TaskCatalog.DecisionTasksByEvent["diagnoses_icd"].Select(t => t.Name).Should().Equal("diagnoses_icd", "diagnoses_ccs");
        TaskCatalog.DecisionTasksByEvent["prescriptions"].Select(t => t.Name).Should().Equal("prescriptions", "prescriptions_atc");
        TaskCatalog.DecisionTasksByEvent.Values.SelectMany(v => v).Should().NotContain(t => t.Name == "next_event");
    }

    [RequiresDataFact("ehr-bench")]
    public void Should_ReproduceUpstreamsInstructionsVerbatim_When_TheUpstreamStyleIsAsked()
    {
        var path = Path.Combine(DataLocations.FindDataset("ehr-bench")!, "upstream-instructions.tsv");
        var lines = File.ReadAllLines(path);
        lines[0].Should().Be("task\tinstruction");
        var upstream = lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split('\t')).ToDictionary(f => f[0], f => f[1], StringComparer.Ordinal);

        upstream.Keys.Should().BeEquivalentTo(TaskCatalog.All.Select(t => t.Name));
        foreach (var task in TaskCatalog.All)
        {
            task.UpstreamInstruction.Should().Be(upstream[task.Name], task.Name);
            task.InstructionFor(InstructionStyle.Upstream).Should().Be(upstream[task.Name], task.Name);
            task.InstructionFor(InstructionStyle.Corrected).Should().Be(task.Instruction, task.Name);
            if (!task.IsRisk)
            {
                task.Instruction.Should().Be(upstream[task.Name], "decision tasks keep upstream's text by default: " + task.Name);
            }
        }

        TaskCatalog.All.Count(t => t.Instruction != t.UpstreamInstruction).Should().Be(17, "only the risk questions are reworded (ICU_Mortality_1day already reads the same)");
    }
}
