"""Text rules shared by every entry point: NFC normalisation, folding for search, Vietnamese formats, and
the language of the interface."""

import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from flask import has_request_context, session

from lltp.core.clock import to_local

# The interface's languages, Vietnamese first (the default), as Babel locales made once: Flask-Babel
# takes a locale object as it is, and would parse a name again on every request.
LOCALES = {name: Locale.parse(name) for name in ("vi", "en")}

_D_TABLE = str.maketrans({"đ": "d", "Đ": "D"})


def nfc(text):
    """NFC-normalise text: decomposed marks print misplaced in PDFs and compare unequal."""
    return None if text is None else unicodedata.normalize("NFC", text)


def unaccented(text):
    """The text without Vietnamese marks (đ as d), its case kept and its spaces collapsed."""
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_D_TABLE))
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def fold(text):
    """Lower-case and strip diacritics, so "Nguyễn Văn Đức" matches "nguyen van duc"."""
    return unaccented(text).lower()


def language():
    """The request's interface language: the one chosen for the session (`/ngon-ngu/<lang>`), or
    Vietnamese."""
    chosen = session.get("lang") if has_request_context() else None
    return chosen if chosen in LOCALES else "vi"


def format_date(value):
    """dd/mm/yyyy, as Vietnamese papers write dates."""
    return "" if value is None else value.strftime("%d/%m/%Y")


def format_money(amount):
    """`200.000 đ`: dots between thousands, the đồng sign after."""
    if amount is None:
        return ""
    return f"{int(amount):,}".replace(",", ".") + " đ"


def format_datetime(moment):
    """hh:mm dd/mm/yyyy in local time."""
    return "" if moment is None else to_local(moment).strftime("%H:%M %d/%m/%Y")


def format_number(value):
    """11.449: dots between thousands."""
    return f"{int(value):,}".replace(",", ".")


def format_decimal(value, places=1):
    """2,5 (a dash when there is nothing): a comma before the decimals, and none for a whole number."""
    if value is None:
        return "—"
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    whole, _, decimals = f"{rounded:f}".partition(".")
    decimals = decimals.rstrip("0")
    return format_number(int(whole)) + (f",{decimals}" if decimals else "")


def format_percent(part, whole):
    """50,37%: the share of `part` in `whole`, to two decimals (a dash when `whole` is zero)."""
    if not whole:
        return "—"
    share = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{share:f}".replace(".", ",") + "%"
