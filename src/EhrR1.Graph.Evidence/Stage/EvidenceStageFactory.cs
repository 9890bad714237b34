using EhrR1.Graph.Evidence.Graph;
using EhrR1.Graph.Evidence.Pairs;

namespace EhrR1.Graph.Evidence.Stage;

/// <summary>Loads the inputs named by the settings and composes a <see cref="SampleEvidenceBuilder"/>.</summary>
internal static class EvidenceStageFactory
{
    public static async Task<(SampleEvidenceBuilder Builder, RelationGraph Graph, LiftTable Lifts)> LoadAsync(
        EvidenceSettings settings,
        string graphFolder,
        string cooccurrencePath,
        string? termMapPath,
        GraphKind kind,
        IEnumerable<string> excludedRelas,
        CancellationToken cancellationToken)
    {
        var lifts = await EvidenceInputs.LoadLiftsAsync(cooccurrencePath, settings.LiftThreshold, settings.MinSupport, cancellationToken);
        var termMap = await EvidenceInputs.LoadTermMapAsync(termMapPath, cancellationToken);
        var graph = await EvidenceInputs.LoadGraphAsync(graphFolder, kind, excludedRelas, lifts, termMap, cancellationToken);
        var resolver = new TermResolver(graph, termMap, EvidenceInputs.TermsOf(graphFolder));
        return (new SampleEvidenceBuilder(graph, lifts, resolver, settings), graph, lifts);
    }
}
