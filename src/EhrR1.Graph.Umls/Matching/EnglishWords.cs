using System.Collections.Frozen;

namespace EhrR1.Graph.Umls.Matching;

/// <summary>
/// Word classes the span rules need. QuickUMLS takes them from spaCy's part-of-speech tags and a stop-word list;
/// this project uses closed word lists instead (determiners, adpositions, conjunctions and common English
/// function words), so matching needs no tagger and is deterministic. All lists are lowercase.
/// </summary>
internal static class EnglishWords
{
    /// <summary>Determiners (spaCy DET): never start or end a span and are dropped from the span's text.</summary>
    public static readonly FrozenSet<string> Determiners = FrozenSet.ToFrozenSet(
    [
        "a", "an", "the", "this", "that", "these", "those", "each", "every", "either", "neither", "another",
        "some", "any", "all", "both", "no", "such", "what", "which", "whatever", "whichever",
    ], StringComparer.Ordinal);

    /// <summary>Adpositions (spaCy ADP): cannot start or end a span, allowed inside ("carcinoma of lung").</summary>
    public static readonly FrozenSet<string> Adpositions = FrozenSet.ToFrozenSet(
    [
        "of", "in", "on", "at", "by", "for", "with", "from", "to", "into", "onto", "upon", "about", "above",
        "across", "after", "against", "along", "among", "around", "as", "before", "behind", "below", "beneath",
        "beside", "besides", "between", "beyond", "despite", "down", "during", "except", "inside", "near", "off",
        "out", "outside", "over", "past", "per", "since", "through", "throughout", "toward", "towards", "under",
        "underneath", "until", "up", "via", "within", "without", "like", "unlike", "than", "vs", "versus",
    ], StringComparer.Ordinal);

    /// <summary>Conjunctions (spaCy CCONJ/SCONJ): cannot start or end a span.</summary>
    public static readonly FrozenSet<string> Conjunctions = FrozenSet.ToFrozenSet(
    [
        "and", "or", "but", "nor", "yet", "so", "because", "although", "though", "while", "whereas", "if",
        "unless", "whether", "once",
    ], StringComparer.Ordinal);

    /// <summary>Negation words: stop words that may still start a span (QuickUMLS keeps them for negated concepts).</summary>
    public static readonly FrozenSet<string> Negations = FrozenSet.ToFrozenSet(["none", "non", "neither", "nor", "no", "not"], StringComparer.Ordinal);

    /// <summary>Number words (spaCy <c>like_num</c>).</summary>
    public static readonly FrozenSet<string> NumberWords = FrozenSet.ToFrozenSet(
    [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty",
        "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand", "million", "billion",
    ], StringComparer.Ordinal);

    /// <summary>English stop words: a span cannot end with one and can start with one only if it is longer than one token.</summary>
    public static readonly FrozenSet<string> StopWords = FrozenSet.ToFrozenSet(
    [
        "a", "about", "above", "after", "again", "against", "all", "almost", "alone", "along", "already", "also",
        "although", "always", "am", "among", "an", "and", "another", "any", "anyhow", "anyone", "anything",
        "anyway", "anywhere", "are", "around", "as", "at", "be", "became", "because", "become", "becomes", "been",
        "before", "being", "below", "beside", "besides", "between", "beyond", "both", "but", "by", "can", "cannot",
        "could", "did", "do", "does", "doing", "done", "down", "due", "during", "each", "either", "else",
        "elsewhere", "enough", "etc", "even", "ever", "every", "everyone", "everything", "everywhere", "except",
        "few", "for", "former", "formerly", "from", "further", "had", "has", "have", "having", "he", "hence",
        "her", "here", "hereafter", "hereby", "herein", "hers", "herself", "him", "himself", "his", "how",
        "however", "i", "if", "in", "indeed", "into", "is", "it", "its", "itself", "just", "last", "latter",
        "least", "less", "made", "make", "many", "may", "me", "meanwhile", "might", "mine", "more", "moreover",
        "most", "mostly", "much", "must", "my", "myself", "neither", "never", "nevertheless", "next", "no",
        "nobody", "none", "noone", "nor", "not", "nothing", "now", "nowhere", "of", "off", "often", "on", "once",
        "only", "onto", "or", "other", "others", "otherwise", "our", "ours", "ourselves", "out", "over", "own",
        "per", "perhaps", "please", "quite", "rather", "really", "same", "say", "see", "seem", "seemed", "seems",
        "several", "she", "should", "since", "so", "some", "somehow", "someone", "something", "sometime",
        "sometimes", "somewhere", "still", "such", "than", "that", "the", "their", "theirs", "them", "themselves",
        "then", "thence", "there", "thereafter", "thereby", "therefore", "therein", "these", "they", "this",
        "those", "though", "through", "throughout", "thru", "thus", "to", "together", "too", "toward", "towards",
        "under", "unless", "until", "up", "upon", "us", "used", "using", "various", "very", "via", "was", "we",
        "well", "were", "what", "whatever", "when", "whence", "whenever", "where", "whereas", "whereby",
        "wherein", "whether", "which", "while", "who", "whoever", "whole", "whom", "whose", "why", "will", "with",
        "within", "without", "would", "yet", "you", "your", "yours", "yourself", "yourselves",
    ], StringComparer.Ordinal);

    public static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> DeterminerLookup = Determiners.GetAlternateLookup<ReadOnlySpan<char>>();
    public static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> AdpositionLookup = Adpositions.GetAlternateLookup<ReadOnlySpan<char>>();
    public static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> ConjunctionLookup = Conjunctions.GetAlternateLookup<ReadOnlySpan<char>>();
    public static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> NegationLookup = Negations.GetAlternateLookup<ReadOnlySpan<char>>();
    public static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> NumberWordLookup = NumberWords.GetAlternateLookup<ReadOnlySpan<char>>();
    public static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> StopWordLookup = StopWords.GetAlternateLookup<ReadOnlySpan<char>>();
}
