//! Yes and no in the languages applicants write.

use super::fold;

/// Yes or no in the languages applicants write, compared folded (case
/// and accents ignored, so "Sí", "Có", "Ναι" match), also followed by a
/// few words ("Yes, easily", "No, sorry").
pub(super) fn yes_no(value: &str) -> Option<bool> {
    if let Some(b) = yes_no_word(value) {
        return Some(b);
    }
    let head = value
        .split([',', ';', '!', '.', '—', '–'])
        .next()
        .unwrap_or("");
    let rest_words = value[head.len()..].split_whitespace().count();
    let first = head.split_whitespace().next().unwrap_or("");
    if rest_words > 5 || head.split_whitespace().count() > 3 {
        return None;
    }
    yes_no_word(head).or_else(|| (head.trim() != first).then(|| yes_no_word(first)).flatten())
}

fn yes_no_word(value: &str) -> Option<bool> {
    let f = fold(value.trim().trim_end_matches(['.', '!', '。', '！']));
    const YES: &[&str] = &[
        "yes",
        "y",
        "true",
        "yes please",
        "sure",
        "of course",
        "ok",
        "okay",
        "ja",
        "jo",
        "oui",
        "si",
        "sim",
        "claro",
        "da",
        "tak",
        "ano",
        "evet",
        "igen",
        "kylla",
        "ya",
        "iya",
        "ναι",
        "co",
        "نعم",
        "بله",
        "آره",
        "כן",
        "हाँ",
        "हां",
        "ใช่",
        "так",
        "да",
        "taip",
        "jā",
        "jah",
        "はい",
        "是",
        "是的",
        "对",
        "對",
        "네",
        "예",
        "oo",
        "ndiyo",
        "yep",
        "yeah",
        "yup",
        "absolutely",
        "certainly",
        "definitely",
        "indeed",
        "haan",
        "დიახ",
        "ஆம்",
        "جی ہاں",
        "ہاں",
        "иә",
        "可以",
        "能",
        "好",
        "好的",
        "ได้",
        "ค่ะ",
        "ครับ",
        "হ্যাঁ",
        "ਹਾਂ",
        "అవును",
        "ಹೌದು",
        "បាទ",
        "ចាស",
        "ဟုတ်ကဲ့",
        "ແມ່ນ",
        "bẹẹni",
        "yebo",
        "bai",
        "áno",
        "այո",
        "አዎ",
        "ได้ครับ",
        "ได้ค่ะ",
        "ใช่ครับ",
        "ใช่ค่ะ",
    ];
    const NO: &[&str] = &[
        "no",
        "n",
        "false",
        "nein",
        "non",
        "nao",
        "nee",
        "nie",
        "ne",
        "nu",
        "nei",
        "nej",
        "hayir",
        "nem",
        "ei",
        "tidak",
        "όχι",
        "khong",
        "لا",
        "نه",
        "خیر",
        "לא",
        "नहीं",
        "ไม่",
        "ні",
        "не",
        "нет",
        "いいえ",
        "否",
        "不",
        "不是",
        "아니요",
        "아니오",
        "hindi",
        "hapana",
        "nope",
        "nah",
        "არა",
        "இல்லை",
        "نہیں",
        "жоқ",
        "不可以",
        "不能",
        "ไม่ได้",
        "না",
        "ਨਹੀਂ",
        "కాదు",
        "ಇಲ್ಲ",
        "ទេ",
        "မဟုတ်ဘူး",
        "ບໍ່",
        "rara",
        "ez",
        "ոչ",
        "አይ",
        "ไม่ครับ",
        "ไม่ค่ะ",
    ];
    let is = |list: &[&str]| list.iter().any(|w| fold(w) == f);
    if is(YES) {
        Some(true)
    } else if is(NO) {
        Some(false)
    } else {
        None
    }
}
