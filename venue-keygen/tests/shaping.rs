//! Poster text is shaped and ordered as a text engine does it (issue 18, item 1): Arabic joins
//! and runs right to left, Hebrew runs right to left, Devanagari and Tamil vowel signs take
//! their places, Thai marks stack, and CJK and accented Latin draw; each from the fonts
//! `.ci/run` installs. A script with no font is reported with the package to install.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use venue_keygen::render::{Fonts, font_package};

const PX: f32 = 100.0;

fn fonts(texts: &[&str]) -> Fonts {
    Fonts::for_texts(texts)
}

/// The family drawing `text` and its glyph ids left to right; panics if more than one family
/// draws it, or none.
fn laid_out(f: &Fonts, text: &str) -> (String, Vec<u16>) {
    let glyphs = f.glyphs(text, PX);
    assert!(!glyphs.is_empty(), "{text}: nothing laid out");
    let family = glyphs[0].0.clone();
    assert!(
        glyphs.iter().all(|(n, _)| *n == family),
        "{text}: drawn by several fonts: {glyphs:?}"
    );
    (family, glyphs.into_iter().map(|(_, g)| g).collect())
}

#[test]
fn arabic_joins_and_runs_right_to_left() {
    let text = "سلام";
    let f = fonts(&[text]);
    assert!(
        f.missing(text).is_empty(),
        "no Arabic font: {:?}",
        f.names()
    );
    let (family, glyphs) = laid_out(&f, text);
    let cmap: Vec<u16> = text
        .chars()
        .map(|c| f.cmap_glyph(&family, c).unwrap())
        .collect();
    // Joined: lam and alef make one ligature, so fewer glyphs than letters; the first letter,
    // drawn last (at the right), takes its initial form, not the isolated one the character
    // map gives; and the letters are neither left to right nor isolated.
    assert!(
        glyphs.len() < cmap.len(),
        "no lam-alef ligature: {glyphs:?}"
    );
    let rightmost = *glyphs.last().unwrap();
    assert_ne!(
        rightmost, cmap[0],
        "seen {glyphs:?}, isolated forms {cmap:?}"
    );
    assert_ne!(glyphs[0], cmap[0], "drawn left to right: {glyphs:?}");
    let mut reversed = cmap.clone();
    reversed.reverse();
    assert_ne!(glyphs, reversed, "isolated letters: {glyphs:?}");
}

#[test]
fn hebrew_runs_right_to_left_and_latin_stays_left_to_right() {
    let text = "שלום Café";
    let f = fonts(&[text]);
    assert!(f.missing(text).is_empty(), "{:?}", f.names());
    let glyphs: Vec<u16> = f.glyphs(text, PX).into_iter().map(|(_, g)| g).collect();
    let (family, _) = laid_out(&f, "שלום");
    let shin = f.cmap_glyph(&family, 'ש').unwrap();
    let final_mem = f.cmap_glyph(&family, 'ם').unwrap();
    let c = f.cmap_glyph(&family, 'C').unwrap();
    // The paragraph begins with Hebrew, so it reads right to left: "Café" at the left, then
    // the Hebrew word with its last letter (final mem) first and shin at the far right.
    let pos = |g: u16| glyphs.iter().position(|x| *x == g).unwrap();
    assert!(pos(c) < pos(final_mem), "{glyphs:?}");
    assert!(pos(final_mem) < pos(shin), "{glyphs:?}");
    assert_eq!(*glyphs.last().unwrap(), shin, "{glyphs:?}");
}

#[test]
fn devanagari_vowel_sign_goes_before_its_consonant_and_conjuncts_form() {
    let text = "दिल्ली";
    let f = fonts(&[text]);
    assert!(
        f.missing(text).is_empty(),
        "no Devanagari font: {:?}",
        f.names()
    );
    let (family, glyphs) = laid_out(&f, text);
    let da = f.cmap_glyph(&family, 'द').unwrap();
    let i_sign = f.cmap_glyph(&family, '\u{093F}').unwrap();
    let virama = f.cmap_glyph(&family, '\u{094D}').unwrap();
    // ि is typed after द but drawn before it; the virama of ल्ल forms a conjunct and is not
    // drawn as a visible halant.
    assert_eq!(glyphs[1], da, "{glyphs:?}");
    assert_ne!(glyphs[0], da);
    assert!(
        glyphs[0] == i_sign || !glyphs.contains(&i_sign),
        "{glyphs:?}"
    );
    assert!(!glyphs.contains(&virama), "visible halant in {glyphs:?}");
    assert!(glyphs.len() < text.chars().count(), "{glyphs:?}");
}

#[test]
fn tamil_aytham_draws_with_its_word() {
    let text = "கஃபே";
    let f = fonts(&[text]);
    let (family, glyphs) = laid_out(&f, text);
    let dotted_circle = f.cmap_glyph(&family, '\u{25CC}').unwrap_or(0);
    assert!(
        dotted_circle == 0 || !glyphs.contains(&dotted_circle),
        "{glyphs:?}"
    );
}

#[test]
fn tamil_vowel_sign_e_goes_before_its_consonant() {
    let text = "சென்னை";
    let f = fonts(&[text]);
    assert!(f.missing(text).is_empty(), "no Tamil font: {:?}", f.names());
    let (family, glyphs) = laid_out(&f, text);
    let ca = f.cmap_glyph(&family, 'ச').unwrap();
    let e_sign = f.cmap_glyph(&family, '\u{0BC6}').unwrap();
    // ெ is typed after ச but drawn before it.
    assert_eq!(glyphs[0], e_sign, "{glyphs:?}");
    assert_eq!(glyphs[1], ca, "{glyphs:?}");
}

#[test]
fn thai_cjk_and_accented_latin_draw_with_an_installed_font() {
    for text in ["ร้านกาแฟ", "北京饭店", "Café Zürich", "Ærøskøbing"] {
        let f = fonts(&[text]);
        assert!(f.missing(text).is_empty(), "{text}: {:?}", f.names());
        let glyphs = f.glyphs(text, PX);
        assert!(
            glyphs.iter().all(|(_, g)| *g != 0),
            "{text}: .notdef in {glyphs:?}"
        );
        assert!(f.measure(text, PX) > 0.0);
    }
}

#[test]
fn a_script_without_a_font_names_the_package() {
    assert!(font_package('ع').contains("fonts-"));
    assert!(font_package('द').starts_with("fonts-lohit-deva"));
    assert!(font_package('த').starts_with("fonts-lohit-taml"));
    assert!(font_package('ก').starts_with("fonts-tlwg"));
    assert!(font_package('京').starts_with("fonts-noto-cjk"));
}

/// Fonts are chosen per run of one script, not per character: with Noto Sans Grantha
/// installed beside Noto Sans Tamil (both in `fonts-noto-core`), Grantha covers ஃ too and comes
/// first by name, yet the whole word is drawn by the Tamil font, without a dotted circle.
#[test]
fn a_word_of_one_script_is_drawn_by_one_font_even_when_another_covers_a_letter_first() {
    let noto = std::path::Path::new("/usr/share/fonts/truetype/noto");
    let files: Vec<std::path::PathBuf> =
        ["NotoSansGrantha-Regular.ttf", "NotoSansTamil-Regular.ttf"]
            .iter()
            .map(|f| noto.join(f))
            .collect();
    for f in &files {
        assert!(
            f.is_file(),
            "{} is missing: install fonts-noto-core (.ci/run does)",
            f.display()
        );
    }
    let text = "கஃபே";
    let f = Fonts::from_files(&files, &[text]);
    let (family, glyphs) = laid_out(&f, text);
    assert_eq!(family, "Noto Sans Tamil");
    let dotted_circle = f.cmap_glyph(&family, '\u{25CC}').unwrap_or(0);
    assert!(
        dotted_circle == 0 || !glyphs.contains(&dotted_circle),
        "{glyphs:?}"
    );
    // Chosen for a page that also carries a Grantha word, the Tamil word keeps its font.
    let f = Fonts::from_files(&files, &[text, "𑌗𑍍𑌰"]);
    assert_eq!(f.names(), ["Noto Sans Grantha", "Noto Sans Tamil"]);
    assert_eq!(laid_out(&f, text).0, "Noto Sans Tamil");
}
