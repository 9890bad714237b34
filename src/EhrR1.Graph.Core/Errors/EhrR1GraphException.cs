namespace EhrR1.Graph.Core.Errors;

/// <summary>
/// Base of every expected failure of the tool. Carries a machine-readable <see cref="Code"/>
/// (for example <c>EHR-IN-003</c>) and whether retrying may help.
/// Messages never contain patient text: only file names, line numbers, field names and ids.
/// </summary>
public class EhrR1GraphException : Exception
{
    /// <summary>Creates an exception with a code and a message.</summary>
    public EhrR1GraphException(string code, string message, bool isTransient = false, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
        IsTransient = isTransient;
    }

    /// <summary>Machine-readable error code, e.g. <c>EHR-IN-001</c>.</summary>
    public string Code { get; }

    /// <summary>True when retrying the same operation may succeed.</summary>
    public bool IsTransient { get; }

    /// <summary>The process exit code this failure maps to (see <see cref="ExitCodes"/>).</summary>
    public virtual int ExitCode => ExitCodes.BadInput;
}
