using System.Buffers.Binary;
using EhrR1.Graph.Core.IO;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Training.Native;

/// <summary>
/// Makes TorchSharp's native bridge loadable on systems whose libstdc++ is older than the one it was linked with.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's <c>libLibTorchSharp.so</c> requires the symbol version <c>GLIBCXX_3.4.32</c> (GCC 13). Debian 12
/// ships libstdc++ up to <c>GLIBCXX_3.4.30</c>. The only symbol bound to 3.4.32 is a link-time marker
/// (<c>std::ios_base_library_init</c>) that no relocation uses, so marking that one requirement weak
/// (<c>VER_FLG_WEAK</c>) lets the dynamic loader accept the library. The fix is applied only when the system
/// libstdc++ lacks the version, only to the copies under the application's own folder (never the NuGet cache),
/// atomically (temp file + rename) and idempotently. Must be called before the first use of <c>torch</c>.
/// </remarks>
public static class TorchSharpNative
{
    internal const string RequiredVersion = "GLIBCXX_3.4.32";
    private const string BridgeName = "libLibTorchSharp.so";

    private static readonly Lock Gate = new();
    private static bool _done;

    private static readonly string[] LibStdCxxCandidates =
    [
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6",
        "/lib64/libstdc++.so.6",
        "/usr/lib/libstdc++.so.6",
    ];

    /// <summary>Applies the fix when needed; safe to call many times and from many threads.</summary>
    public static void EnsureLoadable(ILogger? logger = null)
    {
        logger ??= NullLogger.Instance;
        lock (Gate)
        {
            if (_done)
            {
                return;
            }

            _done = true;
            if (!OperatingSystem.IsLinux())
            {
                return;
            }

            if (SystemLibStdCxxProvides(RequiredVersion, out var libPath))
            {
                logger.LogDebug("System libstdc++ ({Path}) provides {Version}; TorchSharp needs no patch.", libPath, RequiredVersion);
                return;
            }

            foreach (var bridge in BridgeCandidates())
            {
                var outcome = PatchFile(bridge, RequiredVersion);
                switch (outcome)
                {
                    case PatchOutcome.Patched:
                        logger.LogInformation(
                            "System libstdc++ lacks {Version}: marked that requirement weak in {Path} (TorchSharp Debian 12 fix).",
                            RequiredVersion, bridge);
                        break;
                    case PatchOutcome.AlreadyWeak:
                        logger.LogDebug("{Path} already carries the weak {Version} requirement.", bridge, RequiredVersion);
                        break;
                    case PatchOutcome.NotRequired:
                        logger.LogDebug("{Path} does not require {Version}.", bridge, RequiredVersion);
                        break;
                }
            }
        }
    }

    internal enum PatchOutcome
    {
        NotRequired,
        AlreadyWeak,
        Patched,
    }

    /// <summary>Sets VER_FLG_WEAK on every requirement of <paramref name="version"/> in the ELF file, atomically.</summary>
    internal static PatchOutcome PatchFile(string path, string version)
    {
        var image = File.ReadAllBytes(path);
        var outcome = PatchImage(image, version);
        if (outcome != PatchOutcome.Patched)
        {
            return outcome;
        }

        AtomicFile.Save(path, temp =>
        {
            File.WriteAllBytes(temp, image);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temp, File.GetUnixFileMode(path));
            }
        });

        return outcome;
    }

    internal static PatchOutcome PatchImage(byte[] image, string version)
    {
        var outcome = PatchOutcome.NotRequired;
        foreach (var req in ElfSymbolVersions.ReadRequirements(image))
        {
            if (!string.Equals(req.Version, version, StringComparison.Ordinal))
            {
                continue;
            }

            if ((req.Flags & ElfSymbolVersions.VerFlagWeak) != 0)
            {
                outcome = outcome == PatchOutcome.Patched ? outcome : PatchOutcome.AlreadyWeak;
                continue;
            }

            BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan((int)req.FlagsOffset, 2), (ushort)(req.Flags | ElfSymbolVersions.VerFlagWeak));
            outcome = PatchOutcome.Patched;
        }

        return outcome;
    }

    internal static bool SystemLibStdCxxProvides(string version, out string? path)
    {
        path = LibStdCxxCandidates.FirstOrDefault(File.Exists);
        if (path is null)
        {
            // No system libstdc++ where we look: leave the library alone and let the loader decide.
            return true;
        }

        try
        {
            return ElfSymbolVersions.ReadDefinitions(File.ReadAllBytes(path)).Contains(version, StringComparer.Ordinal);
        }
        catch (InvalidDataException)
        {
            return true;
        }
    }

    private static IEnumerable<string> BridgeCandidates()
    {
        var baseDir = AppContext.BaseDirectory;
        string[] candidates =
        [
            Path.Combine(baseDir, BridgeName),
            Path.Combine(baseDir, "runtimes", "linux-x64", "native", BridgeName),
        ];
        return candidates.Where(File.Exists);
    }
}
