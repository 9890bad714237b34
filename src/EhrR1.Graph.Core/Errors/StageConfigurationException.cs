namespace EhrR1.Graph.Core.Errors;

/// <summary>Bad or conflicting settings. All problems are reported together.</summary>
public sealed class StageConfigurationException : EhrR1GraphException
{
    /// <summary>Creates the exception from one or more problems.</summary>
    public StageConfigurationException(IReadOnlyList<string> problems)
        : base("EHR-CFG-001", problems.Count == 1 ? problems[0] : "Invalid settings:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)))
    {
        Problems = problems;
    }

    /// <summary>Creates the exception from a single problem.</summary>
    public StageConfigurationException(string problem)
        : this([problem])
    {
    }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>Throws when <paramref name="problems"/> is not empty.</summary>
    public static void ThrowIfAny(IEnumerable<string> problems)
    {
        var list = problems.ToList();
        if (list.Count > 0)
        {
            throw new StageConfigurationException(list);
        }
    }
}
