namespace EhrR1.Graph.Trajectories.Store;

/// <summary>File names and constants of the trajectory store format (see docs/formats.md).</summary>
internal static class StoreFiles
{
    public const string Data = "trajectories.dat";
    public const string Index = "index.bin";
    public const string Blocks = "blocks.bin";
    public const string Manifest = "manifest.json";

    /// <summary>8-byte magic at the start of index.bin.</summary>
    public static ReadOnlySpan<byte> IndexMagic => "EHRIDX03"u8;

    /// <summary>8-byte magic at the start of blocks.bin.</summary>
    public static ReadOnlySpan<byte> BlocksMagic => "EHRBLK03"u8;

    /// <summary>8-byte magic at the start of trajectories.dat.</summary>
    public static ReadOnlySpan<byte> DataMagic => "EHRTRJ03"u8;

    /// <summary>Per patient: subject_id, first block, block count, events, rows (plus 4 reserved bytes).</summary>
    public const int IndexEntrySize = 32;

    /// <summary>
    /// Per block: data offset, compressed length, raw length, first event (within the patient), events, the XxHash32
    /// of the compressed bytes (plus 4 reserved bytes).
    /// </summary>
    public const int BlockEntrySize = 32;

    /// <summary>index.bin and blocks.bin end with the XxHash64 of their entries (8 bytes, little-endian).</summary>
    public const int TableChecksumSize = 8;

    /// <summary>
    /// A block is closed after the event that brings its raw size to this many bytes: a window read decodes a few
    /// such blocks instead of the whole patient, while streaming still decodes large runs.
    /// </summary>
    public const int BlockTargetBytes = 32 * 1024;

    public const byte FlagStart = 1;
    public const byte FlagEnd = 2;
    public const byte FlagHadm = 4;

    /// <summary>
    /// Brotli quality for event blocks. Quality 1 compresses the demo's blocks about twice as fast as quality 2 for
    /// about 9% more bytes (4.5x instead of 4.9x); decoding speed is the same.
    /// </summary>
    public const int BrotliQuality = 1;

    /// <summary>Brotli window (log2 bytes): larger than a block, so an event bigger than the target still compresses well.</summary>
    public const int BrotliWindow = 18;

    /// <summary>Times are stored as whole seconds since 0001-01-01.</summary>
    public static long ToSeconds(DateTime t) => t.Ticks / TimeSpan.TicksPerSecond;

    public static DateTime FromSeconds(long s) => new(s * TimeSpan.TicksPerSecond, DateTimeKind.Unspecified);
}
