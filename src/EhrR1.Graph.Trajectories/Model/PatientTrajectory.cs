namespace EhrR1.Graph.Trajectories.Model;

/// <summary>A patient's time-ordered events. Index 0 is the <c>patients</c> event when the patient has one.</summary>
public sealed record PatientTrajectory(long SubjectId, IReadOnlyList<EhrEvent> Events);
