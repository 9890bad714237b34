using EhrR1.Graph.Trajectories.Model;

namespace EhrR1.Graph.Tasks.Tests.Support;

/// <summary>A trajectory store over a list of patients (a fake for stage tests).</summary>
internal sealed class InMemoryTrajectoryStore(IEnumerable<PatientTrajectory> patients) : ITrajectoryStore
{
    private readonly SortedDictionary<long, PatientTrajectory> _patients = new(patients.ToDictionary(p => p.SubjectId));

    public IReadOnlyList<long> SubjectIds => [.. _patients.Keys];

    public bool TryRead(long subjectId, out PatientTrajectory trajectory) => _patients.TryGetValue(subjectId, out trajectory!);

    public IEnumerable<PatientTrajectory> ReadAll(CancellationToken cancellationToken = default)
    {
        foreach (var p in _patients.Values)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return p;
        }
    }

    public void Dispose()
    {
    }
}
