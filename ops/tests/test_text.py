"""clean_text follows the contract's five rules, for every script."""

import pytest

from exporter.text import clean_text


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        (
            "Check out this amazing sunset! #beautiful #nature",
            "check out this amazing sunset beautiful nature",
        ),
        ("Don't STOP believin'", "dont stop believin"),
        ("Visit https://example.com/a?b=1 now", "visit now"),
        ("see www.example.org/path, it's great", "see its great"),
        ("http://x.y/z", ""),
        ("thanks @anna_photo and @Bob99!", "thanks and"),
        ("a@bob!c", "a c"),
        ("email me @ home", "email me home"),
        ("#travel#life", "travellife"),
        ("Love it 😍🔥👍", "love it"),
        ("rainbow 🏳️‍🌈 flag", "rainbow \ufe0f flag"),
        ("   lots\tof \n whitespace\u3000here  ", "lots of whitespace here"),
        ("오늘 노을이 정말 아름다워요! #여행", "오늘 노을이 정말 아름다워요 여행"),
        ("Обожаю ЭТУ фотографию!!!", "обожаю эту фотографию"),
        ("غروب الشمس جميل جدا، #طبيعة", "غروب الشمس جميل جدا طبيعة"),
        ("आज का सूर्यास्त बहुत सुंदर था। #प्रकृति", "आज का सूर्यास्त बहुत सुंदर था प्रकृति"),
        ("@राहुल नमस्ते", "नमस्ते"),
        ("今日の夕日、きれい！", "今日の夕日きれい"),
        ("Größe: 3½ × 2²", "größe 3½ 2²"),
        ("", ""),
        ("!!! ??? ...", ""),
    ],
)
def test_clean_text_table(raw: str, cleaned: str) -> None:
    assert clean_text(raw) == cleaned


def test_hindi_combining_marks_survive() -> None:
    # Devanagari vowel signs and virama are marks (M*): deleting them would garble the words.
    assert clean_text("शुभकामनाएँ") == "शुभकामनाएँ"


def test_cleaning_is_idempotent() -> None:
    raw = "¡Qué vista! 오늘 🌅 Trop beau @marie https://t.co/x #Reise #夕日"
    assert clean_text(clean_text(raw)) == clean_text(raw)
