using System.Text.Json;
using System.Text.Json.Serialization;
using EhrR1.Graph.Core.Errors;

namespace EhrR1.Graph.Reasoning.Synthesis;

/// <summary>
/// Per-model token prices for cost accounting. Defaults are public list prices (standard tier, USD per 1M tokens)
/// as of <see cref="DefaultAsOf"/>; prices change, so pass <c>--prices FILE</c> with
/// <c>{"as_of": "...", "models": {"gpt-4o": {"input_per_million": 2.5, "output_per_million": 10, "batch_factor": 0.5}}}</c>
/// to use current or negotiated ones. A model is matched by exact name, then by the longest known prefix
/// (so <c>gpt-4o-2024-08-06</c> uses <c>gpt-4o</c>).
/// </summary>
public sealed record PriceTable(
    [property: JsonPropertyName("as_of")] string AsOf,
    [property: JsonPropertyName("models")] IReadOnlyDictionary<string, ModelPrice> Models)
{
    public const string DefaultAsOf = "2025-06-01";

    public static PriceTable Default { get; } = new(DefaultAsOf, new Dictionary<string, ModelPrice>(StringComparer.Ordinal)
    {
        ["gpt-4o"] = new(2.50m, 10.00m),
        ["gpt-4o-mini"] = new(0.15m, 0.60m),
        ["gpt-4.1"] = new(2.00m, 8.00m),
        ["gpt-4.1-mini"] = new(0.40m, 1.60m),
        ["gpt-4.1-nano"] = new(0.10m, 0.40m),
        ["o4-mini"] = new(1.10m, 4.40m),
    });

    public static PriceTable Load(string? path)
    {
        if (path is null)
        {
            return Default;
        }

        try
        {
            return JsonSerializer.Deserialize<PriceTable>(File.ReadAllText(path))
                ?? throw new InputDataException("EHR-RSN-020", path, null, null, "the price table is empty");
        }
        catch (JsonException ex)
        {
            throw new InputDataException("EHR-RSN-021", path, ex.LineNumber + 1, ex.Path, "the price table is not valid",
                expected: "{\"as_of\": \"DATE\", \"models\": {\"NAME\": {\"input_per_million\": N, \"output_per_million\": N, \"batch_factor\": 0.5}}}", innerException: ex);
        }
    }

    public ModelPrice? Find(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (Models.TryGetValue(model, out var exact))
        {
            return exact;
        }

        return Models.Where(kv => model.StartsWith(kv.Key, StringComparison.Ordinal))
            .OrderByDescending(kv => kv.Key.Length)
            .Select(kv => kv.Value)
            .FirstOrDefault();
    }

    /// <summary>Cost in USD, or null when the model has no price.</summary>
    public decimal? Cost(string model, long promptTokens, long completionTokens, bool batch)
    {
        if (Find(model) is not { } p)
        {
            return null;
        }

        var cost = ((promptTokens * p.InputPerMillion) + (completionTokens * p.OutputPerMillion)) / 1_000_000m;
        return batch ? cost * p.BatchFactor : cost;
    }
}
