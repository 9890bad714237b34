using EhrR1.Graph.Reasoning.Endpoints;
using EhrR1.Graph.Reasoning.Input;

namespace EhrR1.Graph.Reasoning.Synthesis;

/// <summary>A sample with its rendered prompt, ready to send or to write as a Batch line.</summary>
public sealed record PreparedRequest(ReasoningSample Sample, ChatRequest Request, int PromptChars);
