namespace EhrR1.Graph.Reasoning.Endpoints;

/// <summary>Which URL shape and authentication header a chat endpoint uses.</summary>
public enum LlmProvider
{
    /// <summary>Any OpenAI-compatible server: <c>POST {endpoint}/chat/completions</c>, <c>Authorization: Bearer</c>.</summary>
    OpenAi,

    /// <summary>Azure OpenAI: <c>POST {endpoint}/openai/deployments/{deployment}/chat/completions?api-version=</c>, <c>api-key</c> header.</summary>
    Azure,
}
