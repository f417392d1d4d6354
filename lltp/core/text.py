"""Text rules shared by every entry point: NFC normalisation, folding for search, Vietnamese formats."""

import unicodedata

_FOLD_TABLE = str.maketrans({"đ": "d", "Đ": "d"})


def nfc(text):
    """NFC-normalise text: decomposed marks print misplaced in PDFs and compare unequal."""
    return None if text is None else unicodedata.normalize("NFC", text)


def fold(text):
    """Lower-case and strip diacritics, so "Nguyễn Văn Đức" matches "nguyen van duc"."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_TABLE))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def format_date(value):
    """dd/mm/yyyy, as Vietnamese papers write dates."""
    return "" if value is None else value.strftime("%d/%m/%Y")


def format_money(amount):
    """`200.000 đ`: dots between thousands, the đồng sign after."""
    if amount is None:
        return ""
    return f"{int(amount):,}".replace(",", ".") + " đ"


def format_number(value):
    return f"{int(value):,}".replace(",", ".")
