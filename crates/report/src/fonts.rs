//! The fonts a report is typeset with. Loaded once (a CJK collection is some
//! 20 MB) and shared by every render; typst embeds the subset of glyphs a
//! report uses in its PDF.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

use crate::ReportError;

/// Where Linux distributions install the Noto CJK fonts (Debian's
/// `fonts-noto-cjk` first), in order of preference: sans serif, then serif.
const SYSTEM_CJK: &[&[&str]] = &[
    &[
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    ],
    &[
        "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
    ],
    &[
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc",
    ],
    &[
        "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    ],
    &[
        "/usr/share/fonts/noto-cjk/NotoSerifCJK-Regular.ttc",
        "/usr/share/fonts/noto-cjk/NotoSerifCJK-Bold.ttc",
    ],
];

/// Families preferred for simplified Chinese when several are loaded (a Noto
/// CJK collection holds the SC, TC, HK, JP and KR cuts of one design).
const PREFERRED: &[&str] = &[
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "Noto Serif SC",
];

/// A character every usable font must have: the report is Chinese.
const PROBE: char = '信';

/// A set of loaded fonts. Cheap to clone (shared).
#[derive(Clone)]
pub struct Fonts {
    pub(crate) inner: Arc<FontSet>,
}

pub(crate) struct FontSet {
    pub book: LazyHash<FontBook>,
    pub fonts: Vec<Font>,
    /// Family names, preferred first, each once.
    pub families: Vec<String>,
}

impl fmt::Debug for Fonts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fonts")
            .field("faces", &self.inner.fonts.len())
            .field("families", &self.inner.families)
            .finish()
    }
}

impl Fonts {
    /// Loads font files (TrueType, OpenType or collections such as `.ttc`).
    /// At least one face must cover Chinese.
    pub fn load(paths: &[PathBuf]) -> Result<Fonts, ReportError> {
        if paths.is_empty() {
            return Err(ReportError::NoFonts);
        }
        let mut fonts = Vec::new();
        for path in paths {
            let data = std::fs::read(path).map_err(|source| ReportError::FontRead {
                path: path.clone(),
                source,
            })?;
            let before = fonts.len();
            fonts.extend(Font::iter(Bytes::new(data)));
            if fonts.len() == before {
                return Err(ReportError::NotAFont { path: path.clone() });
            }
        }
        Self::from_fonts(fonts)
    }

    /// Finds the installed Noto CJK fonts (Debian's `fonts-noto-cjk`: sans
    /// serif regular and bold, or serif when sans is missing). When none is
    /// installed, the error names `scripts/install-fonts.sh`.
    pub fn system_cjk() -> Result<Fonts, ReportError> {
        let paths = Self::system_cjk_paths().ok_or_else(|| ReportError::CjkFontMissing {
            searched: SYSTEM_CJK
                .iter()
                .map(|set| set[0])
                .collect::<Vec<_>>()
                .join(", "),
        })?;
        Self::load(&paths)
    }

    /// The files `system_cjk` loads, when one of the known locations has a
    /// regular face (the bold face is added when present).
    pub fn system_cjk_paths() -> Option<Vec<PathBuf>> {
        SYSTEM_CJK.iter().find_map(|set| {
            let regular = Path::new(set[0]);
            regular.is_file().then(|| {
                set.iter()
                    .map(PathBuf::from)
                    .filter(|p| p.as_path() == regular || p.is_file())
                    .collect()
            })
        })
    }

    /// The loaded families, in the order the report asks for them.
    pub fn families(&self) -> &[String] {
        &self.inner.families
    }

    fn from_fonts(fonts: Vec<Font>) -> Result<Fonts, ReportError> {
        let mut seen: Vec<String> = Vec::new();
        let mut cjk: Vec<String> = Vec::new();
        for font in &fonts {
            let info = font.info();
            if !seen.contains(&info.family) {
                seen.push(info.family.clone());
            }
            if info.coverage.contains(PROBE as u32) && !cjk.contains(&info.family) {
                cjk.push(info.family.clone());
            }
        }
        if cjk.is_empty() {
            return Err(ReportError::NoCjkFont {
                families: seen.join(", "),
            });
        }
        // Preferred simplified-Chinese families first, then the other
        // families that cover Chinese, then the rest (for other scripts).
        let mut families: Vec<String> = PREFERRED
            .iter()
            .filter(|p| cjk.iter().any(|f| f.as_str() == **p))
            .map(|p| (*p).to_owned())
            .collect();
        for family in cjk.iter().chain(&seen) {
            if !families.contains(family) {
                families.push(family.clone());
            }
        }
        let book = FontBook::from_fonts(&fonts);
        Ok(Fonts {
            inner: Arc::new(FontSet {
                book: LazyHash::new(book),
                fonts,
                families,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_fonts_is_an_error() {
        assert!(matches!(Fonts::load(&[]), Err(ReportError::NoFonts)));
    }

    #[test]
    fn unreadable_and_non_font_files_are_named() {
        let missing = PathBuf::from("/nonexistent/xinyong/NoSuchFont.ttc");
        let err = Fonts::load(std::slice::from_ref(&missing)).unwrap_err();
        assert!(err.to_string().contains("NoSuchFont.ttc"), "{err}");

        let dir = std::env::temp_dir().join(format!("xinyong-report-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let not_font = dir.join("not-a-font.ttf");
        std::fs::write(&not_font, b"hello").unwrap();
        let err = Fonts::load(std::slice::from_ref(&not_font)).unwrap_err();
        assert!(matches!(err, ReportError::NotAFont { .. }), "{err}");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn missing_system_font_names_the_install_script() {
        let err = ReportError::CjkFontMissing {
            searched: "x".to_owned(),
        };
        assert!(err.to_string().contains("scripts/install-fonts.sh"));
    }
}
