using System.Net.Sockets;

namespace EhrR1.Graph.Cli.Hosting;

/// <summary>
/// Recognises faults of the machine rather than of ehr-graph (no permission, a full or read-only disk, an output path
/// below a regular file, a port already taken) so they end with exit code 1 and one line, not a stack trace and the
/// "this is a bug" exit code 3.
/// </summary>
internal static class EnvironmentFaults
{
    // errno values (Linux, as .NET puts them in IOException.HResult) and the Win32 codes in HRESULT form.
    private const int Eperm = 1;
    private const int Eio = 5;
    private const int Eacces = 13;
    private const int Eexist = 17;
    private const int Enotdir = 20;
    private const int Emfile = 24;
    private const int Enospc = 28;
    private const int Erofs = 30;
    private const int Edquot = 122;
    private const int Win32FileExists = unchecked((int)0x80070050);
    private const int Win32AlreadyExists = unchecked((int)0x800700B7);
    private const int Win32HandleDiskFull = unchecked((int)0x80070027);
    private const int Win32DiskFull = unchecked((int)0x80070070);

    /// <summary>A one-line description of the environment fault in <paramref name="exception"/> or its causes, or null.</summary>
    public static string? Describe(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex is AggregateException { InnerExceptions.Count: 1 } agg ? agg.InnerExceptions[0] : ex.InnerException)
        {
            var line = ex switch
            {
                UnauthorizedAccessException => $"permission denied: {ex.Message} Check the folder's owner and mode, or choose another --out",
                SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } =>
                    $"the port is already in use ({ex.Message}). Stop the other server or choose another --port",
                IOException io when io.GetType() == typeof(IOException) => DescribeIo(io),
                _ => null,
            };
            if (line is not null)
            {
                return line;
            }
        }

        return null;
    }

    private static string? DescribeIo(IOException io) => io.HResult switch
    {
        Enospc or Edquot or Win32DiskFull or Win32HandleDiskFull => $"the disk is full: {io.Message} Free space or choose another --out",
        Erofs => $"the file system is read-only: {io.Message} Choose another --out",
        Eacces or Eperm => $"permission denied: {io.Message} Check the folder's owner and mode, or choose another --out",
        Eexist or Enotdir or Win32FileExists or Win32AlreadyExists =>
            $"a path cannot be created: {io.Message} A folder was expected where a regular file is (is --out below a file?)",
        Emfile => $"too many open files: {io.Message} Raise the limit (ulimit -n)",
        Eio => $"the device reported an I/O error: {io.Message}",
        _ => null,
    };
}
