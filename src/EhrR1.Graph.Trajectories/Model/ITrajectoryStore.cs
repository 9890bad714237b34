namespace EhrR1.Graph.Trajectories.Model;

/// <summary>Read access to a trajectory store. Thread-safe for concurrent readers.</summary>
public interface ITrajectoryStore : IDisposable
{
    /// <summary>Every subject id in the store, ascending.</summary>
    IReadOnlyList<long> SubjectIds { get; }

    /// <summary>Reads one patient; false when the subject is not in the store.</summary>
    bool TryRead(long subjectId, out PatientTrajectory trajectory);

    /// <summary>Streams every patient in ascending subject order.</summary>
    IEnumerable<PatientTrajectory> ReadAll(CancellationToken cancellationToken = default);
}
