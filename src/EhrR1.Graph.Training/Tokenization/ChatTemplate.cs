using System.Text;

namespace EhrR1.Graph.Training.Tokenization;

/// <summary>
/// The Qwen3 ChatML chat template (hybrid thinking), re-implemented from its behaviour without tools:
/// system/user turns verbatim; assistant turns after the last user query keep their <c>&lt;think&gt;</c> block
/// (normalised to <c>&lt;think&gt;\n…\n&lt;/think&gt;\n\n</c>), earlier ones drop it; a generation prompt adds an
/// empty think block when thinking is disabled.
/// </summary>
public static class ChatTemplate
{
    public static string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, bool enableThinking = true)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var sb = new StringBuilder();
        if (messages.Count > 0 && messages[0].Role == "system")
        {
            sb.Append("<|im_start|>system\n").Append(messages[0].Content).Append("<|im_end|>\n");
        }

        var lastQuery = messages.Count - 1;
        for (var i = messages.Count - 1; i >= 0; i--)
        {
            var m = messages[i];
            if (m.Role == "user" && !(m.Content.StartsWith("<tool_response>", StringComparison.Ordinal) && m.Content.EndsWith("</tool_response>", StringComparison.Ordinal)))
            {
                lastQuery = i;
                break;
            }
        }

        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            switch (m.Role)
            {
                case "user":
                case "system" when i > 0:
                    sb.Append("<|im_start|>").Append(m.Role).Append('\n').Append(m.Content).Append("<|im_end|>\n");
                    break;
                case "assistant":
                    AppendAssistant(sb, m.Content, i > lastQuery, i == messages.Count - 1);
                    break;
                case "tool":
                    if (i == 0 || messages[i - 1].Role != "tool")
                    {
                        sb.Append("<|im_start|>user");
                    }

                    sb.Append("\n<tool_response>\n").Append(m.Content).Append("\n</tool_response>");
                    if (i == messages.Count - 1 || messages[i + 1].Role != "tool")
                    {
                        sb.Append("<|im_end|>\n");
                    }

                    break;
            }
        }

        if (addGenerationPrompt)
        {
            sb.Append("<|im_start|>assistant\n");
            if (!enableThinking)
            {
                sb.Append("<think>\n\n</think>\n\n");
            }
        }

        return sb.ToString();
    }

    /// <summary>Splits an assistant turn into (reasoning, answer) the way the template does.</summary>
    public static (string Reasoning, string Content) SplitThinking(string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var end = content.IndexOf("</think>", StringComparison.Ordinal);
        if (end < 0)
        {
            return (string.Empty, content);
        }

        var last = content.LastIndexOf("</think>", StringComparison.Ordinal);
        var answer = content[(last + "</think>".Length)..].TrimStart('\n');
        var before = content[..end].TrimEnd('\n');
        var start = before.LastIndexOf("<think>", StringComparison.Ordinal);
        var reasoning = (start >= 0 ? before[(start + "<think>".Length)..] : before).TrimStart('\n');
        return (reasoning, answer);
    }

    private static void AppendAssistant(StringBuilder sb, string raw, bool afterLastQuery, bool isLast)
    {
        var (reasoning, content) = SplitThinking(raw);
        if (afterLastQuery && (isLast || reasoning.Length > 0))
        {
            sb.Append("<|im_start|>assistant\n<think>\n").Append(reasoning.Trim('\n')).Append("\n</think>\n\n").Append(content.TrimStart('\n'));
        }
        else
        {
            sb.Append("<|im_start|>assistant\n").Append(content);
        }

        sb.Append("<|im_end|>\n");
    }
}
