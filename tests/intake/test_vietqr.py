"""VietQR payloads: the NAPAS layout, the CRC, the folded message, and the inline SVG."""

import re

import pytest
import segno

from lltp.intake.vietqr import crc16_ccitt_false, transfer_message, vietqr_payload, vietqr_svg

# Published with github.com/subiz/vietqr (README): 120.000 đ to VietinBank (BIN 970415) account
# 0011001932418, message "ung ho lu lut".
PUBLISHED = (
    "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA"
    "530370454061200005802VN62170813ung ho lu lut6304C15C"
)


def parse_tlv(text):
    """EMVCo data objects as a dict of tag -> value (one level)."""
    objects, position = {}, 0
    while position < len(text):
        tag, length = text[position : position + 2], int(text[position + 2 : position + 4])
        objects[tag] = text[position + 4 : position + 4 + length]
        position += 4 + length
    return objects


def test_crc_has_the_ccitt_false_check_value():
    assert crc16_ccitt_false(b"123456789") == 0x29B1


def test_crc_matches_a_published_vietqr_code():
    assert f"{crc16_ccitt_false(PUBLISHED[:-4].encode('ascii')):04X}" == PUBLISHED[-4:]


def test_payload_reproduces_the_published_code():
    payload = vietqr_payload(
        bank_bin="970415", account_number="0011001932418", amount=120000, message="ủng hộ lũ lụt"
    )
    assert payload == PUBLISHED


def test_payload_follows_the_napas_layout():
    payload = vietqr_payload(
        bank_bin="970436", account_number="0071000123456", amount=200000, message="LLTP-2026-000123"
    )
    top = parse_tlv(payload)
    assert list(top) == ["00", "01", "38", "53", "54", "58", "62", "63"]
    assert top["00"] == "01"
    assert top["01"] == "12"
    assert top["53"] == "704"
    assert top["54"] == "200000"
    assert top["58"] == "VN"
    merchant = parse_tlv(top["38"])
    assert list(merchant) == ["00", "01", "02"]
    assert merchant["00"] == "A000000727"
    assert parse_tlv(merchant["01"]) == {"00": "970436", "01": "0071000123456"}
    assert merchant["02"] == "QRIBFTTA"
    assert parse_tlv(top["62"]) == {"08": "LLTP-2026-000123"}
    assert re.fullmatch(r"[0-9A-F]{4}", top["63"])
    assert payload.endswith("6304" + top["63"])
    assert top["63"] == f"{crc16_ccitt_false(payload[:-4].encode('ascii')):04X}"


@pytest.mark.parametrize(
    ("message", "folded"),
    [
        ("Lệ phí LLTP-2026-000123", "Le phi LLTP-2026-000123"),
        ("ĐẶNG Thị Ỹ", "DANG Thi Y"),
        ("  LLTP_2026/01 ; hồ sơ ", "LLTP 2026 01 ho so"),
    ],
)
def test_message_is_folded_to_what_banks_keep(message, folded):
    assert transfer_message(message) == folded
    assert transfer_message(message).isascii()


@pytest.mark.parametrize("message", ["", "  ", " ;!?/", "Nộp lệ phí hồ sơ LLTP-2026-000123"])
def test_a_message_that_folds_to_nothing_or_too_long_is_refused(message):
    with pytest.raises(ValueError):
        transfer_message(message)


@pytest.mark.parametrize(
    "overrides",
    [
        {"bank_bin": "97041"},
        {"bank_bin": "97041A"},
        {"bank_bin": 970415},
        {"account_number": ""},
        {"account_number": "0" * 20},
        {"account_number": "0011-0019"},
        {"amount": 0},
        {"amount": -1},
        {"amount": 200000.0},
        {"amount": "200000"},
        {"amount": True},
        {"amount": 10**13},
    ],
)
def test_bad_inputs_are_refused(overrides):
    arguments = {"bank_bin": "970415", "account_number": "0011001932418", "amount": 200000, "message": "X"}
    with pytest.raises(ValueError):
        vietqr_payload(**{**arguments, **overrides})


def test_svg_is_inline_markup_about_four_centimetres_wide(app):
    payload = vietqr_payload(
        bank_bin="970415", account_number="0011001932418", amount=200000, message="LLTP-2026-000123"
    )
    with app.test_request_context():
        svg = vietqr_svg(payload)

    assert svg.startswith('<svg role="img" ')
    assert "<?xml" not in svg
    assert 'class="vietqr"' in svg
    assert re.search(r"<title>[^<]+</title>", svg)
    assert re.search(r'width="40(\.0+)?mm"', svg)
    # Nothing to run and nothing to fetch, so it passes a strict CSP inline.
    assert "<script" not in svg
    assert "href" not in svg
    assert "url(" not in svg
    assert not re.search(r"\son\w+=", svg)


def test_svg_is_the_level_m_code_of_the_payload_with_an_escaped_title():
    payload = vietqr_payload(bank_bin="970415", account_number="0011001932418", amount=1, message="X")
    code = segno.make(payload, error="m", micro=False, boost_error=False)
    svg = vietqr_svg(payload, title="<Mã & QR>")

    assert "<title>&lt;Mã &amp; QR&gt;</title>" in svg
    expected = code.svg_inline(
        scale=40 / code.symbol_size()[0],
        unit="mm",
        dark="#000",
        light="#fff",
        title="<Mã & QR>",
        svgclass="vietqr",
    )
    assert svg == expected.replace("<svg ", '<svg role="img" ', 1)
