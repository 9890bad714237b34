using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using EhrR1.Graph.Core.Text;
using EhrR1.Graph.Trajectories.Model;

namespace EhrR1.Graph.Trajectories.Rendering;

/// <summary>
/// Renders events as the markdown EHR input of the seed format (upstream §4.4):
/// <c>## Display Name [YYYY-MM-DD HH:MM:SS]</c>, then <c>- Key: value</c> lines for a single row or a markdown
/// table for several rows. Keys are rendered with Python <c>str.title()</c>. An empty source cell renders as
/// <c>nan</c>; an absent key or a derived key without a mapping renders as <c>None</c>; list-valued fields render
/// as a Python list repr. Output is deterministic.
/// </summary>
public static class EventRenderer
{
    private static readonly ConcurrentDictionary<string, string> TitleCache = new(StringComparer.Ordinal);

    /// <summary>Renders one event; the empty string for tables without a rendering (drgcodes, hcpcsevents).</summary>
    public static string Render(EhrEvent ev)
    {
        ArgumentNullException.ThrowIfNull(ev);
        if (!EventCatalog.IsRendered(ev.Table))
        {
            return string.Empty;
        }

        var sb = new StringBuilder(256);
        Render(ev, sb);
        return sb.ToString();
    }

    /// <summary>
    /// Renders one event with upstream's pandas text for values (<see cref="PandasValues"/>: <c>15.0</c>, <c>nan</c>,
    /// pandas' float parser); the empty string for tables without a rendering.
    /// </summary>
    public static string RenderUpstreamValues(EhrEvent ev)
    {
        ArgumentNullException.ThrowIfNull(ev);
        if (!EventCatalog.IsRendered(ev.Table))
        {
            return string.Empty;
        }

        var sb = new StringBuilder(256);
        Render(ev, sb, upstreamValues: true);
        return sb.ToString();
    }

    /// <summary>Appends the rendering of <paramref name="ev"/> to <paramref name="sb"/> (nothing when not rendered).</summary>
    public static void Render(EhrEvent ev, StringBuilder sb) => Render(ev, sb, upstreamValues: false);

    private static void Render(EhrEvent ev, StringBuilder sb, bool upstreamValues)
    {
        ArgumentNullException.ThrowIfNull(ev);
        ArgumentNullException.ThrowIfNull(sb);
        var display = EventCatalog.DisplayName(ev.Table);
        if (display is null)
        {
            return;
        }

        var keys = EventCatalog.RenderedKeys(ev.Table);
        sb.Append("## ").Append(display).Append(" [");
        AppendTime(sb, ev.StartTime);
        sb.Append(']').Append('\n');

        if (ev.Items.Count == 1)
        {
            var item = ev.Items[0];
            for (var k = 0; k < keys.Count; k++)
            {
                if (k > 0)
                {
                    sb.Append('\n');
                }

                sb.Append("- ").Append(Title(keys[k])).Append(": ");
                AppendValue(sb, item, keys[k], upstreamValues ? ev.Table : null);
            }

            return;
        }

        sb.Append("| ");
        for (var k = 0; k < keys.Count; k++)
        {
            if (k > 0)
            {
                sb.Append(" | ");
            }

            sb.Append(Title(keys[k]));
        }

        sb.Append(" |\n| ");
        for (var k = 0; k < keys.Count; k++)
        {
            if (k > 0)
            {
                sb.Append(" | ");
            }

            sb.Append("------");
        }

        sb.Append(" |");
        foreach (var item in ev.Items)
        {
            sb.Append("\n| ");
            for (var k = 0; k < keys.Count; k++)
            {
                if (k > 0)
                {
                    sb.Append(" | ");
                }

                AppendValue(sb, item, keys[k], upstreamValues ? ev.Table : null);
            }

            sb.Append(" |");
        }
    }

    /// <summary>
    /// Renders events <c>[from, to)</c> of a trajectory joined by blank lines, as upstream joins the parts of a
    /// sample input. Unrendered events (drgcodes, hcpcsevents) contribute empty parts unless
    /// <paramref name="skipUnrendered"/> is set. <paramref name="upstreamValues"/> writes values as upstream's pandas
    /// text (<see cref="RenderUpstreamValues"/>).
    /// </summary>
    public static string RenderWindow(PatientTrajectory trajectory, int from, int to, bool skipUnrendered = false, bool upstreamValues = false)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        var events = trajectory.Events;
        from = Math.Clamp(from, 0, events.Count);
        to = Math.Clamp(to, from, events.Count);
        var sb = new StringBuilder(1024);
        var first = true;
        for (var i = from; i < to; i++)
        {
            var ev = events[i];
            if (skipUnrendered && !EventCatalog.IsRendered(ev.Table))
            {
                continue;
            }

            if (!first)
            {
                sb.Append("\n\n");
            }

            first = false;
            Render(ev, sb, upstreamValues);
        }

        return sb.ToString();
    }

    /// <summary>The rendered text of one value of an item (what appears after <c>- Key: </c>).</summary>
    public static string FormatValue(EventItem item, string key)
    {
        ArgumentNullException.ThrowIfNull(item);
        var sb = new StringBuilder();
        AppendValue(sb, item, key, null);
        return sb.ToString();
    }

    /// <summary>Formats a time as upstream prints it: <c>YYYY-MM-DD HH:MM:SS</c>, or <c>None</c>.</summary>
    public static string FormatTime(DateTime? time) =>
        time is { } t ? t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "None";

    private static void AppendTime(StringBuilder sb, DateTime? time)
    {
        if (time is not { } t)
        {
            sb.Append("None");
            return;
        }

        Span<char> buf = stackalloc char[19];
        t.TryFormat(buf, out var n, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        sb.Append(buf[..n]);
    }

    /// <summary>Appends a value: the source text, or with <paramref name="upstreamTable"/> upstream's pandas text.</summary>
    private static void AppendValue(StringBuilder sb, EventItem item, string key, string? upstreamTable)
    {
        var list = item.GetList(key);
        if (list is not null)
        {
            sb.Append('[');
            for (var i = 0; i < list.Count; i++)
            {
                if (i > 0)
                {
                    sb.Append(", ");
                }

                sb.Append(PythonText.Repr(list[i]));
            }

            sb.Append(']');
            return;
        }

        var keys = item.Keys;
        for (var i = 0; i < keys.Count; i++)
        {
            if (string.Equals(keys[i], key, StringComparison.Ordinal))
            {
                var v = item.Values[i];
                if (v is not null && upstreamTable is not null)
                {
                    v = PandasValues.Format(upstreamTable, key, v);
                }

                sb.Append(v ?? (EventCatalog.DerivedKeys.Contains(key) ? "None" : "nan"));
                return;
            }
        }

        sb.Append("None");
    }

    private static string Title(string key) => TitleCache.GetOrAdd(key, PythonText.Title);
}
