using System.Text;
using System.Text.Json;

namespace EhrR1.Graph.IntegrationTests.Notebooks;

/// <summary>
/// Reads the C# code cells of a Jupyter / Polyglot notebook (.ipynb) so tests can run them.
/// Lines starting with <c>#r</c> or <c>#!</c> (kernel directives) are removed; the test host supplies the references.
/// </summary>
internal static class NotebookCells
{
    public static IReadOnlyList<string> ReadCodeCells(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var cells = new List<string>();
        foreach (var cell in doc.RootElement.GetProperty("cells").EnumerateArray())
        {
            if (!string.Equals(cell.GetProperty("cell_type").GetString(), "code", StringComparison.Ordinal))
            {
                continue;
            }

            var source = cell.GetProperty("source");
            var text = source.ValueKind == JsonValueKind.Array
                ? string.Concat(source.EnumerateArray().Select(s => s.GetString()))
                : source.GetString() ?? string.Empty;
            var sb = new StringBuilder();
            foreach (var line in text.Split('\n'))
            {
                var trimmed = line.TrimStart();
                if (trimmed.StartsWith("#r ", StringComparison.Ordinal) || trimmed.StartsWith("#!", StringComparison.Ordinal))
                {
                    continue;
                }

                sb.Append(line).Append('\n');
            }

            cells.Add(sb.ToString());
        }

        return cells;
    }
}
