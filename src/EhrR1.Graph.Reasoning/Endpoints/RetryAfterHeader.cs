using System.Globalization;

namespace EhrR1.Graph.Reasoning.Endpoints;

/// <summary>
/// Reads a server's wait hint from response headers, whatever the HTTP stack: <c>retry-after-ms</c> (OpenAI),
/// <c>x-ms-retry-after-ms</c> (Azure), then <c>Retry-After</c> as delta-seconds or an HTTP date.
/// </summary>
public static class RetryAfterHeader
{
    /// <param name="header">Returns the first value of a header (case-insensitive name), or null.</param>
    /// <param name="time">Clock for the HTTP-date form (default system).</param>
    public static TimeSpan? Parse(Func<string, string?> header, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(header);
        foreach (var name in new[] { "retry-after-ms", "x-ms-retry-after-ms" })
        {
            if (double.TryParse(header(name), NumberStyles.Float, CultureInfo.InvariantCulture, out var millis) && millis >= 0)
            {
                return TimeSpan.FromMilliseconds(millis);
            }
        }

        var value = header("Retry-After")?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            var d = date - (time ?? TimeProvider.System).GetUtcNow();
            return d > TimeSpan.Zero ? d : TimeSpan.Zero;
        }

        return null;
    }
}
