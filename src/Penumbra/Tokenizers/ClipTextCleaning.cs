namespace Penumbra.Tokenizers;

/// <summary>How <see cref="ClipTokenizer"/> cleans text before pre-tokenisation.</summary>
public enum ClipTextCleaning
{
    /// <summary>openai/CLIP's <c>SimpleTokenizer</c> (and transformers' CLIPTokenizer when <c>ftfy</c> is installed):
    /// <c>ftfy.fix_text</c> (the fixes listed in <see cref="TextFixer"/>), <c>html.unescape</c> twice, white space
    /// collapsed, <c>str.lower()</c>. <c>reference/tokenizer.json</c> was made this way.</summary>
    Ftfy,

    /// <summary>transformers 4.36 CLIPTokenizer without <c>ftfy</c>: <c>BasicTokenizer</c> (NFC, control characters
    /// dropped, spaces around CJK ideographs, lower-case, no accent stripping, no punctuation split) joined by spaces.
    /// No HTML unescaping.</summary>
    TransformersBasic,
}
