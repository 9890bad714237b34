namespace EhrR1.Graph.Core.Pipeline;

/// <summary>
/// The immutable settings of one stage run: what it reads, what it writes, and how to check and describe itself.
/// <see cref="StageRunner"/> uses them to validate, to check inputs, and to write the run manifest.
/// </summary>
public interface IStageSettings
{
    /// <summary>The stage's name as the CLI spells it, e.g. "graph cooccur".</summary>
    string StageName { get; }

    /// <summary>Files or folders the stage reads; each must exist before the stage runs. Files are fingerprinted in the manifest.</summary>
    IReadOnlyList<StageInput> Inputs { get; }

    /// <summary>Files or folders the stage writes.</summary>
    IReadOnlyList<string> Outputs { get; }

    /// <summary>Where the run manifest goes: <see cref="StageManifest.ForFolder"/> or <see cref="StageManifest.ForFile"/>.</summary>
    string ManifestPath { get; }

    /// <summary>What to do when an output already exists.</summary>
    ExistingOutputs OnExistingOutputs { get; }

    /// <summary>Every problem with the settings (empty when valid), each naming the option and how to fix it.</summary>
    IReadOnlyList<string> Validate();

    /// <summary>The settings as name → value for the manifest (invariant culture, never secrets or patient text).</summary>
    IReadOnlyDictionary<string, string?> Describe();
}
