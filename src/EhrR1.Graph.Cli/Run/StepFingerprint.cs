using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EhrR1.Graph.Cli.Run;

/// <summary>
/// A fingerprint of a step: its command, its arguments and, for every input, the sizes and modification times of
/// the files it holds (hashing content would cost as much as the stages on full MIMIC-IV).
/// </summary>
internal static class StepFingerprint
{
    public static string Compute(PipelineStep step, string runDirectory)
    {
        var sb = new StringBuilder();

        // a new build of the tool re-runs every step: its outputs may differ even where inputs and arguments do not
        sb.Append("tool ").Append(Core.IO.RunManifest.CurrentToolVersion).Append('\n');
        sb.Append(string.Join(' ', step.Command)).Append('\n');
        foreach (var a in step.Arguments)
        {
            sb.Append(a).Append('\n');
        }

        foreach (var input in step.Inputs)
        {
            var path = PipelineStep.Resolve(runDirectory, input);
            if (File.Exists(path))
            {
                Append(sb, new FileInfo(path));
            }
            else if (Directory.Exists(path))
            {
                foreach (var f in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    Append(sb, new FileInfo(f));
                }
            }
            else
            {
                sb.Append("missing ").Append(input).Append('\n');
            }
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    private static void Append(StringBuilder sb, FileInfo f) =>
        sb.Append(f.FullName).Append(' ')
          .Append(f.Length.ToString(CultureInfo.InvariantCulture)).Append(' ')
          .Append(f.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture)).Append('\n');
}
