using System.Globalization;

namespace EhrR1.Graph.Core.Concepts;

/// <summary>
/// The result of a lab measurement as the knowledge graph reads it: <c>high</c> or <c>low</c> (the value lies above
/// or below its reference range) or <c>abnormal</c> (the laboratory flagged it without a numeric range, e.g. a
/// positive screen). Normal results have no flag. A lab → phenotype relation of LOINC2HPO
/// (<see cref="ClinicalRelations.HighResultIndicates"/> and its kin) explains something only through a history lab
/// with the matching flag.
/// </summary>
public static class LabResultFlags
{
#pragma warning disable CS1591 // the constants are the flag names
    public const string High = "high";
    public const string Low = "low";
    public const string Abnormal = "abnormal";
#pragma warning restore CS1591

    /// <summary>
    /// The flag of one lab result from its MIMIC-IV cells (<c>valuenum</c>, <c>ref_range_lower</c>,
    /// <c>ref_range_upper</c>, <c>flag</c>): high or low when the number lies outside a given bound, else abnormal
    /// when the laboratory flagged the row, else null (normal, or nothing to judge by).
    /// </summary>
    public static string? Of(string? value, string? lower, string? upper, string? flag)
    {
        if (Number(value) is { } v)
        {
            if (Number(upper) is { } hi && v > hi)
            {
                return High;
            }

            if (Number(lower) is { } lo && v < lo)
            {
                return Low;
            }
        }

        return flag is not null && flag.Trim().Equals("abnormal", StringComparison.OrdinalIgnoreCase) ? Abnormal : null;
    }

    private static double? Number(string? text) =>
        text is not null && double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : null;
}
