"""Post text cleaning, exactly the rules of models/README.md ("Text cleaning").

Whitespace is what Python's `str.isspace` accepts (Unicode White_Space); the Java service's
`TextCleaner` uses the same rules with `(?U)` patterns.
"""

import re
import unicodedata

_URL = re.compile(r"(?:https?://|www\.)\S*")
_KEPT_CATEGORIES = ("L", "M", "N")


def clean_text(raw: str) -> str:
    """The cleaned form of `raw`: the text the CLIP tokenizer sees.

    1. URLs (`https?://` or `www.` up to the next whitespace) and @mentions become a space;
    2. `#` is dropped, its word kept; 3. lower case; 4. every character that is not a letter,
    mark, number or whitespace is deleted; 5. whitespace runs become one space, ends trimmed.
    """
    text = _remove_mentions(_URL.sub(" ", raw))
    text = text.replace("#", "").lower()
    text = "".join(char for char in text if _is_kept(char))
    return " ".join(text.split())


def _is_word_char(char: str) -> bool:
    """Whether `char` may continue an @mention: a letter, mark, number or `_`."""
    return char == "_" or unicodedata.category(char)[0] in _KEPT_CATEGORIES


def _is_kept(char: str) -> bool:
    """Whether rule 4 keeps `char`: a letter, mark, number or whitespace."""
    return char.isspace() or unicodedata.category(char)[0] in _KEPT_CATEGORIES


def _remove_mentions(text: str) -> str:
    """Replaces each `@` followed by word characters, with those characters, by a space."""
    pieces = []
    i = 0
    while i < len(text):
        end = i + 1
        if text[i] == "@":
            while end < len(text) and _is_word_char(text[end]):
                end += 1
        pieces.append(" " if end > i + 1 else text[i])
        i = end
    return "".join(pieces)
