//! Tokens of normalised names and codes, the same functions for the index
//! and for queries.

use std::sync::LazyLock;

use jieba_rs::Jieba;
use pinyin::ToPinyin;
use xinyong_core::uscc;

/// Length of the code grams: a code fragment must have at least this many
/// characters to be searched as a code.
pub(crate) const CODE_GRAM: usize = 4;
/// Marks the start of a code in its gram string, so a prefix is a fragment
/// that starts with it.
pub(crate) const CODE_START: char = '^';
/// Marks the end of a code in its gram string.
pub(crate) const CODE_END: char = '$';

/// The segmenter with jieba's default dictionary (loaded once, on first use).
static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// Windows of `n` characters of `text`, in order (none when `text` is
/// shorter).
pub(crate) fn char_windows(text: &str, n: usize) -> Vec<&str> {
    let mut bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    bounds.push(text.len());
    bounds.windows(n + 1).map(|w| &text[w[0]..w[n]]).collect()
}

/// Words of a normalised name for the index: jieba's search mode (the words
/// and the dictionary words inside long ones), words of two characters or
/// more (single characters are the unigrams' job).
pub(crate) fn index_words(norm: &str) -> Vec<&str> {
    multi_char(
        JIEBA
            .cut_for_search(norm, false)
            .into_iter()
            .map(|t| t.word),
    )
}

/// Words of a normalised query: jieba's precise mode, two characters or more.
pub(crate) fn query_words(norm: &str) -> Vec<&str> {
    multi_char(JIEBA.cut(norm, false).into_iter().map(|t| t.word))
}

fn multi_char<'a>(words: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    words.filter(|w| w.chars().nth(1).is_some()).collect()
}

/// Pinyin bigrams of a normalised name or query: the toneless readings of
/// each two neighbouring characters, as `"zhang bo"` (a character without a
/// reading stands for itself), so a homophone typed for a character (张博 for
/// 张波, the usual typo of a pinyin input method) still matches.
pub(crate) fn pinyin_bigrams(norm: &str) -> Vec<String> {
    let mut readings: Vec<String> = Vec::new();
    for c in norm.chars() {
        readings.push(match c.to_pinyin() {
            Some(p) => p.plain().to_owned(),
            None => c.to_string(),
        });
    }
    readings.windows(2).map(|w| w.join(" ")).collect()
}

/// The gram string of a normalised (upper-case) code: `^CODE$`.
pub(crate) fn code_text(code: &str) -> String {
    let mut text = String::with_capacity(code.len() + 2);
    text.push(CODE_START);
    text.push_str(code);
    text.push(CODE_END);
    text
}

/// The code fragment a normalised query stands for, upper-cased: at least
/// [`CODE_GRAM`] and at most 18 characters, all of the USCC alphabet.
pub(crate) fn code_fragment(norm: &str) -> Option<String> {
    let fragment = norm.to_ascii_uppercase();
    let len = fragment.chars().count();
    let all_code = fragment.chars().all(uscc::is_alphabet_char);
    (all_code && (CODE_GRAM..=uscc::LEN).contains(&len)).then_some(fragment)
}

/// Removes repeated tokens, keeping the first of each.
pub(crate) fn dedup<'a>(tokens: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for t in tokens {
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_characters_not_bytes() {
        assert_eq!(char_windows("营口恒中", 2), ["营口", "口恒", "恒中"]);
        assert_eq!(char_windows("营口", 1), ["营", "口"]);
        assert_eq!(char_windows("营", 2), Vec::<&str>::new());
        assert_eq!(char_windows("", 1), Vec::<&str>::new());
        assert_eq!(char_windows("^91210$", 4), ["^912", "9121", "1210", "210$"]);
    }

    #[test]
    fn words_have_two_characters_or_more() {
        let words = index_words("营口恒中机械有限公司");
        assert!(words.contains(&"机械"), "{words:?}");
        assert!(words.contains(&"有限公司"), "{words:?}");
        assert!(words.iter().all(|w| w.chars().count() >= 2), "{words:?}");
        assert!(query_words("营").is_empty());
    }

    #[test]
    fn pinyin_bigrams_join_toneless_readings() {
        assert_eq!(pinyin_bigrams("张波海"), ["zhang bo", "bo hai"]);
        assert_eq!(pinyin_bigrams("张博海"), pinyin_bigrams("张波海"));
        assert_eq!(pinyin_bigrams("a张"), ["a zhang"]);
        assert!(pinyin_bigrams("张").is_empty());
    }

    #[test]
    fn code_fragments() {
        assert_eq!(
            code_fragment("91210800ma0u").as_deref(),
            Some("91210800MA0U")
        );
        assert_eq!(code_fragment("9121").as_deref(), Some("9121"));
        assert_eq!(code_fragment("912"), None);
        assert_eq!(code_fragment("9121o"), None, "O is not in the alphabet");
        assert_eq!(code_fragment("营口9121"), None);
        assert_eq!(code_fragment("9121080000000000000"), None, "19 characters");
        assert_eq!(code_text("9121"), "^9121$");
    }

    #[test]
    fn dedup_keeps_first_occurrences() {
        assert_eq!(dedup(["a", "b", "a", "c", "b"]), ["a", "b", "c"]);
    }
}
