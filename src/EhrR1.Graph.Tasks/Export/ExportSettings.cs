using EhrR1.Graph.Tasks.Definitions;

namespace EhrR1.Graph.Tasks.Export;

/// <summary>Settings of <c>ehr-graph tasks export</c>.</summary>
public sealed record ExportSettings
{
    /// <summary>Sampled index rows (from <c>tasks sample</c>, or a task file of the index).</summary>
    public required string SamplesFile { get; init; }

    /// <summary>The trajectory store folder (recorded in the manifest).</summary>
    public required string StorePath { get; init; }

    /// <summary>The task index (for decision-task candidates); null = the index named in the samples manifest.</summary>
    public string? IndexDirectory { get; init; }

    public required ExportFormat Format { get; init; }

    public required string OutputFile { get; init; }

    /// <summary>Seed of the candidate draws.</summary>
    public int Seed { get; init; } = 42;

    public int MaxCandidates { get; init; } = 100;

    /// <summary>Upstream joined empty parts (no last discharge, no admission record) too, leaving blank runs.</summary>
    public bool KeepEmptyParts { get; init; }

    /// <summary>Instruction text: our wording (default) or upstream's verbatim strings.</summary>
    public InstructionStyle Instructions { get; init; } = InstructionStyle.Corrected;

    /// <summary>
    /// The renderer writes upstream's pandas text for values (<c>EventRenderer.RenderUpstreamValues</c>); recorded in
    /// the manifest. The caller passes the matching renderer.
    /// </summary>
    public bool UpstreamValues { get; init; }

    /// <summary>
    /// Samples processed together (grouped by patient, so each patient is read once per chunk). Memory holds the
    /// chunk's index rows; its rendered records go to temporary files beside the output.
    /// </summary>
    public int ChunkSize { get; init; } = 65536;

    /// <summary>Patients of a chunk read and rendered at the same time (the output does not depend on it).</summary>
    public int Workers { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Overwrite an existing output file.</summary>
    public bool Force { get; init; }

    public IEnumerable<string> Validate()
    {
        if (!Force && File.Exists(OutputFile))
        {
            yield return $"Output file {OutputFile} already exists. Pass --force to overwrite it, or choose another --out.";
        }

        if (ChunkSize < 1)
        {
            yield return $"--chunk-size must be ≥ 1; got {ChunkSize}.";
        }

        if (Workers < 1)
        {
            yield return $"--threads must be ≥ 1; got {Workers}.";
        }

        if (MaxCandidates < 2)
        {
            yield return $"--max-candidates must be ≥ 2; got {MaxCandidates}.";
        }
    }
}
