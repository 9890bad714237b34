namespace EhrR1.Graph.Trajectories.Store;

/// <summary>File names and constants of the trajectory store format (see docs/formats.md).</summary>
internal static class StoreFiles
{
    public const string Data = "trajectories.dat";
    public const string Index = "index.bin";
    public const string Manifest = "manifest.json";

    /// <summary>8-byte magic at the start of index.bin.</summary>
    public static ReadOnlySpan<byte> IndexMagic => "EHRIDX01"u8;

    /// <summary>8-byte magic at the start of trajectories.dat.</summary>
    public static ReadOnlySpan<byte> DataMagic => "EHRTRJ01"u8;

    public const int IndexEntrySize = 32;

    public const byte FlagStart = 1;
    public const byte FlagEnd = 2;
    public const byte FlagHadm = 4;

    /// <summary>Brotli quality for patient blocks: fast, still about 6-10x on MIMIC rows.</summary>
    public const int BrotliQuality = 2;

    public const int BrotliWindow = 22;

    /// <summary>Times are stored as whole seconds since 0001-01-01.</summary>
    public static long ToSeconds(DateTime t) => t.Ticks / TimeSpan.TicksPerSecond;

    public static DateTime FromSeconds(long s) => new(s * TimeSpan.TicksPerSecond, DateTimeKind.Unspecified);
}
