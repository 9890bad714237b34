using EhrR1.Graph.Training.Tokenization;

namespace EhrR1.Graph.Training.Data;

/// <summary>
/// Turns an EHR-Ins chat record into token ids with a completion mask, rendering the Qwen3 chat template.
/// The prompt is every turn before the final assistant turn plus <c>&lt;|im_start|&gt;assistant\n</c>; the completion is
/// the final assistant turn as the template renders it (think block, answer, <c>&lt;|im_end|&gt;</c>), without the
/// trailing newline. Over-long samples are cut inside the last user message (see <see cref="TruncationMode"/>).
/// </summary>
public sealed class SftEncoder
{
    private const string TruncationMarker = "\n...\n";
    private readonly Qwen3Tokenizer _tokenizer;
    private readonly int[] _marker;

    public SftEncoder(Qwen3Tokenizer tokenizer, int maxLength, TruncationMode mode, int headTokens)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        _tokenizer = tokenizer;
        MaxLength = maxLength;
        Mode = mode;
        HeadTokens = headTokens;
        _marker = [.. tokenizer.Encode(TruncationMarker)];
    }

    public int MaxLength { get; }

    public TruncationMode Mode { get; }

    public int HeadTokens { get; }

    /// <summary>Encodes one record; null when it cannot fit (answer alone too long, or mode Drop).</summary>
    /// <exception cref="ArgumentException">The record does not end with an assistant turn or has no user turn.</exception>
    public SftExample? Encode(string sampleId, IReadOnlyList<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count < 2 || messages[^1].Role != "assistant")
        {
            throw new ArgumentException("the last message must have role 'assistant'", nameof(messages));
        }

        var lastUser = -1;
        for (var i = messages.Count - 2; i >= 0; i--)
        {
            if (messages[i].Role == "user")
            {
                lastUser = i;
                break;
            }
        }

        if (lastUser < 0)
        {
            throw new ArgumentException("no message has role 'user'", nameof(messages));
        }

        // The full rendering, split at the last user content and at the start of the final assistant turn.
        var full = ChatTemplate.Render(messages, addGenerationPrompt: false);
        var promptText = ChatTemplate.Render(messages.Take(messages.Count - 1).ToList(), addGenerationPrompt: true, enableThinking: true);
        if (!full.StartsWith(promptText, StringComparison.Ordinal))
        {
            throw new ArgumentException("chat template prompt is not a prefix of the full rendering", nameof(messages));
        }

        var completionText = full[promptText.Length..];
        if (completionText.EndsWith('\n'))
        {
            completionText = completionText[..^1];
        }

        var userContent = messages[lastUser].Content;
        var userStart = FindUserContent(promptText, messages, lastUser);
        var before = _tokenizer.Encode(promptText[..userStart]);
        var user = _tokenizer.Encode(userContent);
        var after = _tokenizer.Encode(promptText[(userStart + userContent.Length)..]);
        var completion = _tokenizer.Encode(completionText);

        var total = before.Count + user.Count + after.Count + completion.Count;
        var truncated = false;
        if (total > MaxLength)
        {
            var budget = MaxLength - before.Count - after.Count - completion.Count - _marker.Length;
            if (Mode == TruncationMode.Drop || budget <= 0)
            {
                return null;
            }

            truncated = true;
            var head = Mode == TruncationMode.HeadAndTail ? Math.Min(HeadTokens, budget / 2) : 0;
            var tail = budget - head;
            var cut = new List<int>(budget + _marker.Length);
            cut.AddRange(user.Take(head));
            cut.AddRange(_marker);
            cut.AddRange(user.Skip(user.Count - tail));
            user = cut;
        }

        var ids = new int[before.Count + user.Count + after.Count + completion.Count];
        before.CopyTo(ids, 0);
        user.CopyTo(ids, before.Count);
        after.CopyTo(ids, before.Count + user.Count);
        completion.CopyTo(ids, before.Count + user.Count + after.Count);
        return new SftExample(sampleId, ids, ids.Length - completion.Count, truncated);
    }

    /// <summary>
    /// The generation prompt of <paramref name="messages"/> (no assistant turn), cut like a training sample when it
    /// has more than <see cref="MaxLength"/> tokens: inside the last user message, keeping its head and tail (or its
    /// tail), so a model is evaluated on the view it was trained on. Mode <see cref="TruncationMode.Drop"/> and prompts
    /// whose markup alone exceeds the limit keep only the tail of the whole prompt.
    /// </summary>
    public (int[] Ids, bool Truncated) EncodePrompt(IReadOnlyList<ChatMessage> messages, bool enableThinking)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var promptText = ChatTemplate.Render(messages, addGenerationPrompt: true, enableThinking: enableThinking);
        var lastUser = -1;
        for (var i = messages.Count - 1; i >= 0; i--)
        {
            if (messages[i].Role == "user")
            {
                lastUser = i;
                break;
            }
        }

        var whole = _tokenizer.Encode(promptText);
        if (whole.Count <= MaxLength)
        {
            return ([.. whole], false);
        }

        if (lastUser >= 0 && Mode != TruncationMode.Drop)
        {
            var userStart = FindUserContent(promptText, messages, lastUser);
            var userContent = messages[lastUser].Content;
            var before = _tokenizer.Encode(promptText[..userStart]);
            var user = _tokenizer.Encode(userContent);
            var after = _tokenizer.Encode(promptText[(userStart + userContent.Length)..]);
            var budget = MaxLength - before.Count - after.Count - _marker.Length;
            if (budget > 0)
            {
                var head = Mode == TruncationMode.HeadAndTail ? Math.Min(HeadTokens, budget / 2) : 0;
                var tail = Math.Min(budget - head, user.Count);
                return ([.. before, .. user.Take(head), .. _marker, .. user.Skip(user.Count - tail), .. after], true);
            }
        }

        return ([.. whole.Skip(whole.Count - MaxLength)], true);
    }

    private static int FindUserContent(string promptText, IReadOnlyList<ChatMessage> messages, int lastUser)
    {
        const string Header = "<|im_start|>user\n";
        var turn = Header + messages[lastUser].Content + "<|im_end|>";
        var at = promptText.LastIndexOf(turn, StringComparison.Ordinal);
        if (at < 0)
        {
            throw new ArgumentException("cannot locate the last user message in the rendered prompt", nameof(messages));
        }

        return at + Header.Length;
    }
}
