namespace EhrR1.Graph.Training.Data;

/// <summary>How <c>ehr-graph train --mix-data</c> mixes a second dataset into the first (upstream <c>MultipleDataset</c>).</summary>
public enum DatasetMixing
{
    /// <summary>One shuffled pool of both datasets (upstream default).</summary>
    Shuffle,

    /// <summary>
    /// Upstream <c>--curriculum</c>: the second dataset is withheld until training progress passes
    /// 1 − 2·|D2|/|D1|, then its share of the draws rises linearly to 1 at the end (<see cref="CurriculumSchedule"/>).
    /// </summary>
    Curriculum,
}
