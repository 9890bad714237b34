namespace EhrR1.Graph.Neo4j.Http;

/// <summary>What discovery found: the commit endpoint, the server version and edition.</summary>
public sealed record Neo4jServerInfo(Uri CommitEndpoint, string Version, string Edition)
{
    /// <summary>Major version (3, 4, 5, ...), or 0 when unknown.</summary>
    public int Major =>
        int.TryParse(Version.Split('.')[0], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var m) ? m : 0;
}
