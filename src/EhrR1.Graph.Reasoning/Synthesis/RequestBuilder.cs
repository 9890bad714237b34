using System.Runtime.CompilerServices;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.Formats;
using EhrR1.Graph.Reasoning.Endpoints;
using EhrR1.Graph.Reasoning.Input;
using EhrR1.Graph.Reasoning.Prompts;

namespace EhrR1.Graph.Reasoning.Synthesis;

/// <summary>
/// Streams samples, applies the eligibility rules (excluded tasks, evidence required), joins the evidence by
/// <c>sample_id</c> and renders the prompt. Holds only the evidence offset index in memory.
/// </summary>
public sealed class RequestBuilder : IDisposable
{
    private readonly ReasoningSettings _settings;
    private readonly JsonlKeyIndex? _evidence;

    public RequestBuilder(ReasoningSettings settings, PromptTemplate template, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        Template = template;
        if (template.UsesKnowledge && settings.EvidencePath is null)
        {
            throw new StageConfigurationException("the prompt " + template.Id + " uses the thinking graph: pass --evidence FILE (from `ehr-graph evidence search`), or choose --prompt without-graph.");
        }

        if (settings.FilterNoGraph && settings.EvidencePath is null)
        {
            throw new StageConfigurationException("--filter-no-graph needs --evidence FILE.");
        }

        if (settings.EvidencePath is not null)
        {
            _evidence = JsonlKeyIndex.Build(settings.EvidencePath, (e, line) =>
                e.ValueKind == System.Text.Json.JsonValueKind.Object && e.TryGetProperty(EvidenceFile.KeyProperty, out var id) && id.ValueKind == System.Text.Json.JsonValueKind.String
                    ? id.GetString()
                    : throw new InputDataException("EHR-RSN-006", settings.EvidencePath, line, "sample_id", "an evidence record has no sample_id", expected: "a string"), cancellationToken);
        }
    }

    public PromptTemplate Template { get; }

    public long ExcludedTask { get; private set; }

    public long NoGraph { get; private set; }

    public long Eligible { get; private set; }

    public async IAsyncEnumerable<PreparedRequest> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var sample in BenchSampleReader.ReadAsync(_settings.SamplesPath, cancellationToken))
        {
            if (_settings.ExcludeTasks.Contains(sample.Task))
            {
                ExcludedTask++;
                continue;
            }

            string? knowledge = null;
            if (_evidence is not null)
            {
                EvidenceRecord? ev = null;
                using (var doc = _evidence.TryRead(sample.SampleId))
                {
                    if (doc is not null)
                    {
                        ev = EvidenceFile.Parse(doc.RootElement, _evidence.Path);
                    }
                }

                if (ev is null || !ev.HasGraph)
                {
                    if (Template.UsesKnowledge || _settings.FilterNoGraph)
                    {
                        NoGraph++;
                        continue;
                    }
                }
                else
                {
                    knowledge = ev.Rendered;
                }
            }

            if (_settings.Limit is { } limit && Eligible >= limit)
            {
                yield break;
            }

            Eligible++;
            yield return Build(sample, knowledge);
        }
    }

    public PreparedRequest Build(ReasoningSample sample, string? knowledge)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["context"] = sample.Input,
            ["labels"] = string.Join("\n", sample.Labels),
            ["task"] = sample.Instruction,
            ["knowledge"] = knowledge ?? string.Empty,
        };
        var prompt = Template.Render(values);
        var request = new ChatRequest
        {
            Messages = [ChatMessage.User(prompt)],
            N = _settings.N,
            Temperature = _settings.Temperature,
            MaxTokens = _settings.MaxTokens,
        };
        return new PreparedRequest(sample, request, prompt.Length);
    }

    public void Dispose() => _evidence?.Dispose();
}
