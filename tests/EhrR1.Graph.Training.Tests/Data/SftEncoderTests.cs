using EhrR1.Graph.Training.Data;
using EhrR1.Graph.Training.Tests.Support;
using EhrR1.Graph.Training.Tokenization;

namespace EhrR1.Graph.Training.Tests.Data;

public sealed class SftEncoderTests
{
    private static readonly string Ehr = "## Patient Demographics\nGender: F, Age: 71\n" +
        string.Concat(Enumerable.Range(0, 200).Select(i => $"| Sodium | {130 + (i % 10)} | mEq/L |\n")) + "| Potassium | 6.1 | mEq/L |\n";

    private static List<ChatMessage> Messages(string answer) =>
    [
        new("system", "You are a helpful assistant."),
        new("user", Ehr + "\nWhat is the potassium status?"),
        new("assistant", answer),
    ];

    [RequiresTokenizerFact]
    public void Should_ScoreOnlyTheAnswerTurn_When_SampleFits()
    {
        var tokenizer = SharedTokenizer.Tokenizer;
        var encoder = new SftEncoder(tokenizer, 8192, TruncationMode.HeadAndTail, 64);

        var ex = encoder.Encode("s1", Messages("Hyperkalemia"))!;

        ex.Truncated.Should().BeFalse();
        var full = ChatTemplate.Render(Messages("Hyperkalemia"), addGenerationPrompt: false);
        ex.InputIds.Should().Equal(tokenizer.Encode(full.TrimEnd('\n')));
        tokenizer.Decode(ex.InputIds[ex.PromptLength..]).Should().Be("<think>\n\n</think>\n\nHyperkalemia<|im_end|>");
        tokenizer.Decode(ex.InputIds[..ex.PromptLength]).Should().EndWith("<|im_start|>assistant\n");
    }

    [RequiresTokenizerFact]
    public void Should_KeepHeadTailAndAnswer_When_Truncating()
    {
        var tokenizer = SharedTokenizer.Tokenizer;
        var encoder = new SftEncoder(tokenizer, 300, TruncationMode.HeadAndTail, 40);

        var ex = encoder.Encode("s1", Messages("Hyperkalemia"))!;

        ex.Truncated.Should().BeTrue();
        ex.Length.Should().BeLessThanOrEqualTo(300);
        var text = tokenizer.Decode(ex.InputIds);
        text.Should().StartWith("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n## Patient Demographics\nGender: F, Age: 71");
        text.Should().Contain("| Potassium | 6.1 | mEq/L |\n\nWhat is the potassium status?<|im_end|>\n<|im_start|>assistant\n");
        text.Should().EndWith("Hyperkalemia<|im_end|>");
        text.Should().Contain("\n...\n");
    }

    [RequiresTokenizerFact]
    public void Should_CutAnEvaluationPromptAsTrainingCutsItsSamples_When_ThePromptIsTooLong()
    {
        var tokenizer = SharedTokenizer.Tokenizer;
        var encoder = new SftEncoder(tokenizer, 300, TruncationMode.HeadAndTail, 40);
        var prompt = Messages("unused").Take(2).ToList();

        // a long prompt: head and tail of the user message, the generation prompt whole
        var (ids, truncated) = encoder.EncodePrompt(prompt, enableThinking: false);
        truncated.Should().BeTrue();
        ids.Length.Should().BeLessThanOrEqualTo(300);
        var text = tokenizer.Decode(ids);
        text.Should().StartWith("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n## Patient Demographics");
        text.Should().Contain("\n...\n").And.EndWith("What is the potassium status?<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");

        // the same head as the training sample (the tail differs by the answer's length)
        var sample = encoder.Encode("s1", Messages("Hyperkalemia"))!;
        tokenizer.Decode(sample.InputIds[..sample.PromptLength]).Should().StartWith(text[..(text.IndexOf("\n...\n", StringComparison.Ordinal) + 5)]);

        // a prompt within the limit is the plain rendering
        var (whole, cut) = new SftEncoder(tokenizer, 8192, TruncationMode.HeadAndTail, 40).EncodePrompt(prompt, enableThinking: false);
        cut.Should().BeFalse();
        whole.Should().Equal(tokenizer.Encode(ChatTemplate.Render(prompt, addGenerationPrompt: true, enableThinking: false)));
    }

    [RequiresTokenizerFact]
    public void Should_DropDemographics_When_KeepEndMode()
    {
        var encoder = new SftEncoder(SharedTokenizer.Tokenizer, 300, TruncationMode.KeepEnd, 40);

        var text = SharedTokenizer.Tokenizer.Decode(encoder.Encode("s1", Messages("Hyperkalemia"))!.InputIds);

        text.Should().NotContain("Demographics").And.EndWith("Hyperkalemia<|im_end|>");
    }

    [RequiresTokenizerFact]
    public void Should_SkipSample_When_AnswerAloneExceedsLimit()
    {
        var encoder = new SftEncoder(SharedTokenizer.Tokenizer, 40, TruncationMode.HeadAndTail, 8);

        encoder.Encode("s1", Messages(string.Concat(Enumerable.Repeat("very long answer ", 40)))).Should().BeNull();
    }
}
