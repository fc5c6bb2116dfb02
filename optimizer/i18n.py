"""Language of user-facing text: Norwegian bokmål by default, English on request."""

from __future__ import annotations

import os
from contextvars import ContextVar

LANGUAGES = ("nb", "en")
_lang: ContextVar[str] = ContextVar("lang", default=os.environ.get("VERTSKOMMUNE_LANG", "nb"))


def set_language(lang: str) -> None:
    """Set the language for text made from now on in this context."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    _lang.set(lang)


def language() -> str:
    lang = _lang.get()
    return lang if lang in LANGUAGES else "nb"


def tr(nb: str, en: str) -> str:
    """Pick the bokmål or English text for the current language."""
    return en if language() == "en" else nb


def format_nok(amount: float, *, unit: bool = True) -> str:
    """Whole kroner with a thin space as thousands separator, as Norwegians write them: ``1 234 567 kr``.

    Uses a no-break space so the number does not wrap. Negative amounts get a minus sign (U+2212).
    """
    rounded = round(amount)
    digits = f"{abs(rounded):,}".replace(",", "\u00a0")
    sign = "\u2212" if rounded < 0 else ""
    return f"{sign}{digits}\u00a0kr" if unit else f"{sign}{digits}"


def format_number(value: float) -> str:
    """A plain number without trailing zeros: ``8,5`` in bokmål, ``8.5`` in English."""
    text = f"{value:g}".replace("-", "\u2212")
    return text if language() == "en" else text.replace(".", ",")


def format_percent(value: float, decimals: int = 1) -> str:
    """``12,3 %`` in bokmål (``12.3 %`` in English), with a no-break space before the sign."""
    text = f"{value:.{decimals}f}".replace("-", "\u2212")
    return (text if language() == "en" else text.replace(".", ",")) + "\u00a0%"
