//! The one normal form of names and queries.

/// First code point of the full-width ASCII block (`！`, U+FF01).
const FULL_WIDTH_FIRST: u32 = 0xFF01;
/// Last code point of the full-width ASCII block (`～`, U+FF5E).
const FULL_WIDTH_LAST: u32 = 0xFF5E;
/// Distance from a full-width form to its ASCII character.
const FULL_WIDTH_OFFSET: u32 = 0xFEE0;
/// The ideographic space.
const IDEOGRAPHIC_SPACE: char = '\u{3000}';

/// The normal form of a name or a query, the only text the index compares:
///
/// 1. full-width ASCII forms (`Ａ`, `１`, `（`) become half-width (`A`, `1`,
///    `(`), the ideographic space a space;
/// 2. traditional characters become simplified (OpenCC's tables, from the
///    `hanconv` crate);
/// 3. letters are lower-cased;
/// 4. everything that is not a letter or a digit (whitespace, punctuation,
///    symbols, control characters) is removed, so `恒中（营口）` and
///    `恒中 (营口)` are the same text.
pub fn normalize(text: &str) -> String {
    let half_width: String = text.chars().map(half_width).collect();
    let simplified = hanconv::t2s(half_width);
    let mut out = String::with_capacity(simplified.len());
    for c in simplified.chars().filter(|c| c.is_alphanumeric()) {
        out.extend(c.to_lowercase());
    }
    out
}

/// The half-width form of a full-width ASCII character; any other character
/// unchanged.
pub fn half_width(c: char) -> char {
    let code = u32::from(c);
    if (FULL_WIDTH_FIRST..=FULL_WIDTH_LAST).contains(&code) {
        char::from_u32(code - FULL_WIDTH_OFFSET).unwrap_or(c)
    } else if c == IDEOGRAPHIC_SPACE {
        ' '
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_width_script_case_and_drops_separators() {
        assert_eq!(normalize("营口恒中机械有限公司"), "营口恒中机械有限公司");
        assert_eq!(normalize("營口恆中機械有限公司"), "营口恒中机械有限公司");
        assert_eq!(normalize("ＡＢＣ１２３"), "abc123");
        assert_eq!(normalize(" 恒中（营口）\u{3000}机械\t"), "恒中营口机械");
        assert_eq!(
            normalize("９１２１０８００ＭＡ０Ｕ"),
            normalize("91210800ma0u")
        );
        assert_eq!(normalize("，。！\u{0}\u{7}—"), "");
        assert_eq!(normalize(""), "");
    }

    #[test]
    fn half_width_maps_the_whole_block_and_nothing_else() {
        assert_eq!(half_width('！'), '!');
        assert_eq!(half_width('～'), '~');
        assert_eq!(half_width('Ｚ'), 'Z');
        assert_eq!(half_width('\u{3000}'), ' ');
        assert_eq!(half_width('营'), '营');
        assert_eq!(half_width('a'), 'a');
        assert_eq!(half_width('\u{FF5F}'), '\u{FF5F}');
    }
}
