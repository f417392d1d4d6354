"""VietQR codes for paying the fee by bank transfer (NAPAS's EMVCo merchant-presented mode).

Every Vietnamese banking app reads this payload and fills in the bank, the account, the amount and the
transfer message, so the citizen cannot mistype the reference the payment is reconciled by.
"""

import re
import unicodedata

import segno
from flask_babel import gettext as _

NAPAS_GUID = "A000000727"
SERVICE_TRANSFER_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"
COUNTRY_VN = "VN"
MESSAGE_MAX_LENGTH = 25
QR_PRINT_SIZE_MM = 40

_BIN = re.compile(r"[0-9]{6}")
_ACCOUNT = re.compile(r"[0-9A-Za-z]{1,19}")
_MESSAGE_DROPPED = re.compile(r"[^0-9A-Za-z -]")
# Tag 54 holds at most 13 characters.
_AMOUNT_LIMIT = 10**13


def vietqr_payload(*, bank_bin, account_number, amount, message):
    """The VietQR payload for a transfer of `amount` đồng to an account, with its CRC."""
    if not isinstance(bank_bin, str) or not _BIN.fullmatch(bank_bin):
        raise ValueError(f"The bank BIN must be 6 digits, not {bank_bin!r}.")
    if not isinstance(account_number, str) or not _ACCOUNT.fullmatch(account_number):
        raise ValueError(f"The account number must be 1 to 19 letters or digits, not {account_number!r}.")
    # bool is an int to Python, and True đồng is never meant.
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount < _AMOUNT_LIMIT:
        raise ValueError(f"The amount must be a positive whole number of đồng, not {amount!r}.")
    purpose = transfer_message(message)

    beneficiary = _tlv("00", bank_bin) + _tlv("01", account_number)
    merchant_account = (
        _tlv("00", NAPAS_GUID) + _tlv("01", beneficiary) + _tlv("02", SERVICE_TRANSFER_TO_ACCOUNT)
    )
    body = (
        _tlv("00", "01")
        # "12" is a dynamic code: the amount is part of it, so it serves this one payment.
        + _tlv("01", "12")
        + _tlv("38", merchant_account)
        + _tlv("53", CURRENCY_VND)
        + _tlv("54", str(amount))
        + _tlv("58", COUNTRY_VN)
        + _tlv("62", _tlv("08", purpose))
        + "6304"
    )
    return body + f"{crc16_ccitt_false(body.encode('ascii')):04X}"


def transfer_message(message):
    """Fold a transfer message to what banks keep: ASCII letters, digits, spaces and '-', at most 25."""
    decomposed = unicodedata.normalize("NFD", (message or "").replace("đ", "d").replace("Đ", "D"))
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = " ".join(_MESSAGE_DROPPED.sub(" ", ascii_only).split())
    if not folded:
        raise ValueError("The transfer message is empty once folded to ASCII.")
    # Cutting the message would cut the reference the payment is reconciled by: refuse instead.
    if len(folded) > MESSAGE_MAX_LENGTH:
        raise ValueError(f"The transfer message {folded!r} is longer than {MESSAGE_MAX_LENGTH} characters.")
    return folded


def crc16_ccitt_false(data):
    """CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF), the checksum EMVCo codes end with."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _bit in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def vietqr_svg(payload, *, title=None):
    """The QR code of a payload as inline SVG markup, about 4 cm wide in print, with no external refs."""
    code = segno.make(payload, error="m", micro=False, boost_error=False)
    width, _height = code.symbol_size()
    svg = code.svg_inline(
        scale=QR_PRINT_SIZE_MM / width,
        unit="mm",
        dark="#000",
        light="#fff",
        title=title or _("Mã VietQR để chuyển khoản lệ phí"),
        svgclass="vietqr",
    )
    # With role="img" a screen reader announces the <title> as the name of one image.
    return svg.replace("<svg ", '<svg role="img" ', 1)


def _tlv(tag, value):
    """One EMVCo data object: the tag, the value's length in two digits, the value."""
    if len(value) > 99:
        raise ValueError(f"The value of tag {tag} is longer than 99 characters.")
    return f"{tag}{len(value):02d}{value}"
