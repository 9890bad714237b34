namespace EhrR1.Graph.Reasoning.Endpoints;

/// <summary>Which code talks to the endpoint (<c>--client</c>, <c>EHRR1_LLM_CLIENT</c>); the policy around it is the same.</summary>
public enum ChatClientKind
{
    /// <summary>Our own HttpClient + System.Text.Json code (<see cref="HttpChatTransport"/>): n choices in one request. The default.</summary>
    Http,

    /// <summary>
    /// The official SDKs (Azure.AI.OpenAI <c>AzureOpenAIClient</c> / OpenAI <c>OpenAIClient</c>) as a
    /// Microsoft.Extensions.AI <c>IChatClient</c> (<see cref="ChatClientTransport"/>): one choice per request.
    /// </summary>
    Sdk,
}
