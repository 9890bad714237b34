using System.Text;

namespace EhrR1.Graph.TestSupport;

/// <summary>
/// Golden-file assertions against tests/TestData/golden. On a mismatch a <c>.received.</c> file is written beside the
/// expected one. Set <c>EHRR1_ACCEPT_GOLDEN=1</c> to overwrite the expected files (then review the git diff).
/// </summary>
public static class Golden
{
    public static void AssertMatches(string actual, string relativePath)
    {
        ArgumentNullException.ThrowIfNull(actual);
        var expectedPath = TestPaths.TestData("golden", relativePath);
        var normalized = actual.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (string.Equals(Environment.GetEnvironmentVariable("EHRR1_ACCEPT_GOLDEN"), "1", StringComparison.Ordinal))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(expectedPath)!);
            File.WriteAllText(expectedPath, normalized, new UTF8Encoding(false));
            return;
        }

        if (!File.Exists(expectedPath))
        {
            WriteReceived(expectedPath, normalized);
            throw new Xunit.Sdk.XunitException($"Golden file {relativePath} does not exist. A .received. file was written; review it and run with EHRR1_ACCEPT_GOLDEN=1 to accept.");
        }

        var expected = File.ReadAllText(expectedPath).Replace("\r\n", "\n", StringComparison.Ordinal);
        if (!string.Equals(expected, normalized, StringComparison.Ordinal))
        {
            WriteReceived(expectedPath, normalized);
            var at = FirstDifference(expected, normalized);
            throw new Xunit.Sdk.XunitException($"Output differs from golden file {relativePath} at character {at}. Compare with the .received. file beside it; accept with EHRR1_ACCEPT_GOLDEN=1 if the change is intended.");
        }
    }

    private static void WriteReceived(string expectedPath, string text)
    {
        var name = Path.GetFileName(expectedPath);
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        var received = dot > 0 ? name[..dot] + ".received" + name[dot..] : name + ".received";
        Directory.CreateDirectory(Path.GetDirectoryName(expectedPath)!);
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(expectedPath)!, received), text, new UTF8Encoding(false));
    }

    private static int FirstDifference(string a, string b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            if (a[i] != b[i])
            {
                return i;
            }
        }

        return n;
    }
}
