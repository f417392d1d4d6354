"""The one request validator: the contract's example passes, and each rule has its own failing case."""

import copy
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from lltp.core.errors import ValidationFailed
from lltp.intake.validation import FIELD_LABELS, field_label, validate_request

TODAY = date(2026, 11, 20)


def contract_example():
    """The request of contracts/intake-api.md, as a national system sends it."""
    return {
        "external_id": "VNEID-20261120-000123",
        "certificate_type": 1,
        "include_ban_section": False,
        "purpose": "Bổ sung hồ sơ xin việc",
        "copies": 2,
        "applicant": {
            "full_name": "NGUYỄN VĂN AN",
            "other_names": [],
            "sex": "male",
            "date_of_birth": "1990-05-17",
            "place_of_birth": "Thị trấn Tân Phú, huyện Tân Phú, tỉnh Đồng Nai",
            "nationality": "VN",
            "ethnicity": "Kinh",
            "id_document": {
                "type": "cccd",
                "number": "079090001234",
                "issued_on": "2021-04-10",
                "issued_by": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
            },
            "permanent_address": "Số 12 đường Lê Lợi, phường Bến Thành, Thành phố Hồ Chí Minh",
            "temporary_address": None,
            "phone": "0912345678",
            "email": "an.nguyen@example.vn",
            "father": {"full_name": "NGUYỄN VĂN BÌNH", "birth_year": 1960},
            "mother": {"full_name": "TRẦN THỊ CÚC", "birth_year": 1963},
            "spouse": None,
            "residence_history": [
                {
                    "from": "2004-05-17",
                    "to": "2012-08-31",
                    "address": "Thị trấn Tân Phú, huyện Tân Phú, tỉnh Đồng Nai",
                    "occupation": "Học sinh",
                    "workplace": "Trường THPT Tân Phú",
                },
                {
                    "from": "2012-09-01",
                    "to": None,
                    "address": "Số 12 đường Lê Lợi, phường Bến Thành, Thành phố Hồ Chí Minh",
                    "occupation": "Kỹ sư",
                    "workplace": "Công ty TNHH ABC",
                },
            ],
        },
        "requester": None,
        "fee": {"category": "standard", "paid": True, "payment_reference": "PAY-88231"},
        "delivery": {"method": "electronic", "postal_address": None},
        "submitted_at": "2026-11-20T09:15:00+07:00",
    }


def form_example():
    """The same request as the counter's form posts it: every value a string, dates dd/mm/yyyy."""
    document = contract_example()
    document.update(certificate_type="1", copies="2", include_ban_section="")
    applicant = document["applicant"]
    applicant["date_of_birth"] = "17/05/1990"
    applicant["id_document"]["issued_on"] = "10/04/2021"
    applicant["father"]["birth_year"] = "1960"
    applicant["mother"]["birth_year"] = "1963"
    applicant["residence_history"][0].update({"from": "17/05/2004", "to": "31/08/2012"})
    applicant["residence_history"][1].update({"from": "01/09/2012", "to": ""})
    document["fee"]["paid"] = "on"
    return document


def proxy(**overrides):
    requester = {
        "kind": "proxy",
        "full_name": "lê thị hoa",
        "relationship": "spouse",
        "id_document": {
            "type": "cccd",
            "number": "079190004321",
            "issued_on": "2021-01-05",
            "issued_by": "Cục CS",
        },
        "authorisation_reference": "UQ-2026-17",
        "authorisation_notarised": False,
    }
    return {**requester, **overrides}


def a_minor(document):
    """Make the applicant a 12-year-old, born 2014, with no history since 14 to declare yet."""
    applicant = document["applicant"]
    applicant["date_of_birth"] = "2014-03-02"
    applicant["id_document"].update(number="079214001234", issued_on="2024-03-10")
    applicant["residence_history"] = [{"from": "2014-03-02", "to": None, "address": "Số 12 đường Lê Lợi"}]
    return document


@pytest.fixture(autouse=True)
def app_context(app):
    with app.app_context():
        yield


def validate(document, *, channel="vneid", today=TODAY, date_style="iso"):
    return validate_request(document, channel=channel, today=today, date_style=date_style)


def errors_of(document, **kwargs):
    with pytest.raises(ValidationFailed) as raised:
        validate(document, **kwargs)
    return raised.value.errors


def counter(document, **kwargs):
    """Errors of the document as the counter's form would send it."""
    return errors_of(document, channel="counter", date_style="vn", **kwargs)


# --- the valid base -----------------------------------------------------------------------------------


def test_the_contract_example_passes_unchanged():
    cleaned = validate(contract_example())

    assert cleaned["certificate_type"] == 1
    assert cleaned["copies"] == 2
    assert cleaned["applicant"]["date_of_birth"] == date(1990, 5, 17)
    assert cleaned["applicant"]["id_document"] == {
        "type": "cccd",
        "number": "079090001234",
        "issued_on": date(2021, 4, 10),
        "issued_by": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
    }
    assert cleaned["submitted_at"] == datetime(2026, 11, 20, 2, 15, tzinfo=UTC)
    assert cleaned["submitted_at"].utcoffset() == timedelta(hours=7)


def test_the_cleaned_request_has_the_contract_shape_with_python_values():
    cleaned = validate(contract_example())

    assert set(cleaned) == {
        "external_id",
        "certificate_type",
        "include_ban_section",
        "purpose",
        "copies",
        "applicant",
        "requester",
        "fee",
        "delivery",
        "submitted_at",
        "postal",
        "agency",
    }
    assert cleaned["applicant"]["father"] == {"full_name": "NGUYỄN VĂN BÌNH", "birth_year": 1960}
    assert cleaned["applicant"]["spouse"] is None
    assert cleaned["applicant"]["temporary_address"] is None
    assert cleaned["applicant"]["residence_history"][1] == {
        "from": date(2012, 9, 1),
        "to": None,
        "address": "Số 12 đường Lê Lợi, phường Bến Thành, Thành phố Hồ Chí Minh",
        "occupation": "Kỹ sư",
        "workplace": "Công ty TNHH ABC",
    }
    assert cleaned["requester"] is None
    assert cleaned["fee"] == {"category": "standard", "paid": True, "payment_reference": "PAY-88231"}
    assert cleaned["delivery"] == {"method": "electronic", "postal_address": None}
    assert cleaned["postal"] is None
    assert cleaned["agency"] is None


def test_the_form_version_of_the_example_gives_the_same_clean_request():
    from_form = validate(form_example(), channel="counter", date_style="vn")
    from_api = validate(contract_example())

    assert from_form == from_api


def test_unknown_extra_keys_are_ignored():
    document = contract_example()
    document["colour"] = "blue"
    document["applicant"]["shoe_size"] = 42

    assert "colour" not in validate(document)


def test_the_input_document_is_not_changed():
    document = contract_example()
    original = copy.deepcopy(document)

    validate(document)

    assert document == original


# --- text ---------------------------------------------------------------------------------------------


def test_names_are_upper_cased_after_nfc():
    document = contract_example()
    document["applicant"]["full_name"] = "nguyễn văn an"
    document["applicant"]["other_names"] = ["  tèo  "]
    document["applicant"]["spouse"] = {"full_name": "lê thị đào", "birth_year": 1992}

    applicant = validate(document)["applicant"]

    assert applicant["full_name"] == "NGUYỄN VĂN AN"
    assert applicant["other_names"] == ["TÈO"]
    assert applicant["spouse"]["full_name"] == "LÊ THỊ ĐÀO"


def test_nfd_input_gives_the_same_nfc_upper_case_name():
    document = contract_example()
    document["applicant"]["full_name"] = unicodedata.normalize("NFD", "nguyễn văn an")
    document["applicant"]["place_of_birth"] = unicodedata.normalize("NFD", "Tân Phú, Đồng Nai")

    applicant = validate(document)["applicant"]

    assert applicant["full_name"] == "NGUYỄN VĂN AN"
    assert unicodedata.is_normalized("NFC", applicant["full_name"])
    assert applicant["place_of_birth"] == unicodedata.normalize("NFC", "Tân Phú, Đồng Nai")


def test_text_is_stripped_and_whitespace_runs_collapsed():
    document = contract_example()
    document["purpose"] = "  Bổ sung \n hồ sơ\t\txin việc "

    assert validate(document)["purpose"] == "Bổ sung hồ sơ xin việc"


def test_blank_text_becomes_none():
    document = contract_example()
    document["applicant"]["temporary_address"] = "   "

    assert validate(document)["applicant"]["temporary_address"] is None


@pytest.mark.parametrize(
    ("path", "setter", "limit"),
    [
        ("applicant.full_name", lambda d, v: d["applicant"].update(full_name=v), 120),
        ("applicant.permanent_address", lambda d, v: d["applicant"].update(permanent_address=v), 500),
        ("purpose", lambda d, v: d.update(purpose=v), 255),
        (
            "applicant.residence_history.0.workplace",
            lambda d, v: d["applicant"]["residence_history"][0].update(workplace=v),
            255,
        ),
    ],
)
def test_text_longer_than_its_limit_is_an_error(path, setter, limit):
    document = contract_example()
    setter(document, "A" * (limit + 1))

    errors = errors_of(document)

    assert set(errors) == {path}
    assert str(limit) in errors[path]


def test_text_at_its_limit_is_accepted():
    document = contract_example()
    document["applicant"]["full_name"] = "A" * 120

    assert validate(document)["applicant"]["full_name"] == "A" * 120


# --- all at once, and messages --------------------------------------------------------------------------


def test_all_errors_come_at_once():
    document = contract_example()
    document["copies"] = 11
    document["applicant"]["sex"] = "unknown"
    document["applicant"]["date_of_birth"] = "2027-01-01"
    document["applicant"]["email"] = "not-an-email"
    document["fee"]["category"] = "free"

    errors = errors_of(document)

    assert set(errors) == {
        "copies",
        "applicant.sex",
        "applicant.date_of_birth",
        "applicant.email",
        "fee.category",
    }


def test_messages_are_vietnamese_and_name_the_field():
    document = contract_example()
    document["applicant"]["date_of_birth"] = "2027-01-01"

    assert errors_of(document)["applicant.date_of_birth"] == "Ngày sinh không được sau ngày hôm nay."


def test_a_missing_field_says_it_must_not_be_blank():
    document = contract_example()
    document["applicant"]["place_of_birth"] = ""

    assert errors_of(document)["applicant.place_of_birth"] == "Nơi sinh không được để trống."


def test_every_label_is_vietnamese_text():
    assert all(str(label) for label in FIELD_LABELS.values())
    assert field_label("applicant.full_name") == "Họ và tên"


def test_a_row_of_a_list_is_labelled_with_its_row_number():
    assert field_label("applicant.residence_history.1.from") == "Từ ngày cư trú (dòng 2)"


def test_a_document_that_is_not_an_object_is_an_error_not_an_exception():
    assert "document" in errors_of(["not", "a", "dict"])


@pytest.mark.parametrize("block", ["applicant", "fee", "delivery"])
def test_a_block_that_is_not_an_object_is_an_error_on_the_block(block):
    document = contract_example()
    document[block] = "yes"

    assert block in errors_of(document)


def test_an_unknown_channel_is_a_programming_error():
    with pytest.raises(ValueError):
        validate(contract_example(), channel="carrier_pigeon")


# --- required fields ----------------------------------------------------------------------------------


def _drop(document, path):
    *parents, key = path.split(".")
    target = document
    for parent in parents:
        target = target[parent]
    target[key] = None


@pytest.mark.parametrize(
    "path",
    [
        "certificate_type",
        "copies",
        "purpose",
        "applicant.full_name",
        "applicant.sex",
        "applicant.date_of_birth",
        "applicant.place_of_birth",
        "applicant.nationality",
        "applicant.ethnicity",
        "applicant.id_document.type",
        "applicant.id_document.number",
        "delivery.method",
        "fee.category",
        "external_id",
        "submitted_at",
    ],
)
def test_a_required_field_left_blank_is_an_error_on_it(path):
    document = contract_example()
    _drop(document, path)

    assert path in errors_of(document)


def test_a_missing_block_reports_its_required_fields():
    document = contract_example()
    del document["fee"]

    assert "fee.category" in errors_of(document)


def test_the_temporary_address_alone_is_enough_residence():
    document = contract_example()
    document["applicant"]["permanent_address"] = None
    document["applicant"]["temporary_address"] = "Phòng 3, số 5 ngõ 7 phố Huế, Hà Nội"

    assert validate(document)["applicant"]["temporary_address"] == "Phòng 3, số 5 ngõ 7 phố Huế, Hà Nội"


def test_no_residence_at_all_is_an_error_on_the_permanent_address():
    document = contract_example()
    document["applicant"]["permanent_address"] = ""

    assert set(errors_of(document)) == {"applicant.permanent_address"}


def test_ethnicity_is_optional_for_a_foreigner():
    document = contract_example()
    document["applicant"].update(nationality="FR", ethnicity=None)
    document["applicant"]["id_document"] = {"type": "passport", "number": "19ab12345"}

    assert validate(document)["applicant"]["ethnicity"] is None


def test_neither_phone_nor_email_is_an_error_on_the_phone():
    document = contract_example()
    document["applicant"].update(phone=None, email="")

    assert set(errors_of(document)) == {"applicant.phone"}


@pytest.mark.parametrize(("phone", "email"), [("0912345678", None), (None, "an@example.vn")])
def test_a_phone_or_an_email_alone_is_enough(phone, email):
    document = contract_example()
    document["applicant"].update(phone=phone, email=email)

    validate(document)


# --- top-level values ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 3, "1", 1.0, True])
def test_the_api_accepts_only_certificate_type_1_or_2_as_json_numbers(value):
    document = contract_example()
    document["certificate_type"] = value

    assert "certificate_type" in errors_of(document)


@pytest.mark.parametrize(("value", "expected"), [("1", 1), ("2", 2), (" 2 ", 2), (1, 1)])
def test_the_form_accepts_certificate_type_as_a_string(value, expected):
    document = form_example()
    document["certificate_type"] = value

    assert validate(document, channel="counter", date_style="vn")["certificate_type"] == expected


@pytest.mark.parametrize("value", [0, 11, -1, "2", 2.0, False])
def test_copies_must_be_a_json_integer_from_1_to_10(value):
    document = contract_example()
    document["copies"] = value

    assert set(errors_of(document)) == {"copies"}


@pytest.mark.parametrize("value", [1, 10])
def test_copies_from_1_to_10_are_accepted(value):
    document = contract_example()
    document["copies"] = value

    assert validate(document)["copies"] == value


def test_the_form_accepts_copies_as_a_string():
    document = form_example()
    document["copies"] = "3"

    assert validate(document, channel="counter", date_style="vn")["copies"] == 3


@pytest.mark.parametrize("value", ["x", "11", "2.5"])
def test_the_form_still_refuses_copies_that_are_not_1_to_10(value):
    document = form_example()
    document["copies"] = value

    assert "copies" in counter(document)


@pytest.mark.parametrize("value", ["true", 1, "yes"])
def test_the_api_wants_a_json_bool_for_include_ban_section(value):
    document = contract_example()
    document["include_ban_section"] = value

    assert set(errors_of(document)) == {"include_ban_section"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("on", True), ("1", True), ("", False), ("false", False), (None, False)],
)
def test_the_form_reads_booleans_from_strings(value, expected):
    document = form_example()
    document["include_ban_section"] = value

    assert validate(document, channel="counter", date_style="vn")["include_ban_section"] is expected


def test_the_form_refuses_a_boolean_it_cannot_read():
    document = form_example()
    document["include_ban_section"] = "maybe"

    assert "include_ban_section" in counter(document)


def test_a_phieu_so_2_always_includes_the_ban_section():
    document = contract_example()
    document["certificate_type"] = 2
    document["include_ban_section"] = False

    assert validate(document)["include_ban_section"] is True


def test_a_phieu_so_1_includes_the_ban_section_only_when_asked():
    document = contract_example()
    document["include_ban_section"] = True

    assert validate(document)["include_ban_section"] is True


@pytest.mark.parametrize("value", ["", "X" * 101, 123])
def test_the_api_needs_an_external_id_of_1_to_100_characters(value):
    document = contract_example()
    document["external_id"] = value

    assert set(errors_of(document)) == {"external_id"}


@pytest.mark.parametrize("channel", ["counter", "online", "post", "agency"])
def test_external_id_and_submitted_at_are_optional_off_the_api(channel):
    document = contract_example()
    document.update(external_id=None, submitted_at=None)
    document["postal"] = {"tracking_number": "EB123456789VN", "arrived_on": "2026-11-19"}
    document["agency"] = {"name": "Sở Nội vụ", "letter_number": "12/SNV", "letter_date": "2026-11-18"}

    cleaned = validate(document, channel=channel)

    assert cleaned["external_id"] is None
    assert cleaned["submitted_at"] is None


@pytest.mark.parametrize(
    "value", ["2026-11-20T09:15:00", "2026-11-20", "20/11/2026 09:15", "yesterday", 1763604900]
)
def test_submitted_at_needs_iso_8601_with_an_offset(value):
    document = contract_example()
    document["submitted_at"] = value

    assert set(errors_of(document)) == {"submitted_at"}


def test_submitted_at_accepts_z_for_utc():
    document = contract_example()
    document["submitted_at"] = "2026-11-20T02:15:00Z"

    assert validate(document)["submitted_at"] == datetime(2026, 11, 20, 2, 15, tzinfo=UTC)


def test_submitted_at_after_the_end_of_today_is_an_error():
    document = contract_example()
    document["submitted_at"] = "2026-11-21T00:00:00+07:00"

    assert set(errors_of(document)) == {"submitted_at"}


def test_submitted_at_late_today_in_vietnam_is_accepted_even_if_utc_says_otherwise():
    document = contract_example()
    document["submitted_at"] = datetime(2026, 11, 20, 23, 59, tzinfo=timezone(timedelta(hours=7))).isoformat()

    validate(document)


# --- dates --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["17/05/1990", "1990-5-17", "1990-02-30", "19900517", 19900517])
def test_the_api_takes_dates_as_yyyy_mm_dd_only(value):
    document = contract_example()
    document["applicant"]["date_of_birth"] = value

    errors = errors_of(document)

    assert "applicant.date_of_birth" in errors
    assert "YYYY-MM-DD" in errors["applicant.date_of_birth"]


def test_the_api_refuses_a_python_date_object():
    document = contract_example()
    document["applicant"]["date_of_birth"] = date(1990, 5, 17)

    assert "applicant.date_of_birth" in errors_of(document)


@pytest.mark.parametrize("value", ["17/05/1990", "17/5/1990", date(1990, 5, 17)])
def test_the_form_takes_dates_as_dd_mm_yyyy_or_a_date(value):
    document = form_example()
    document["applicant"]["date_of_birth"] = value

    cleaned = validate(document, channel="counter", date_style="vn")

    assert cleaned["applicant"]["date_of_birth"] == date(1990, 5, 17)


@pytest.mark.parametrize("value", ["1990-05-17", "31/02/1990", "17.05.1990"])
def test_the_form_refuses_other_date_formats(value):
    document = form_example()
    document["applicant"]["date_of_birth"] = value

    errors = counter(document)

    assert "dd/mm/yyyy" in errors["applicant.date_of_birth"]


@pytest.mark.parametrize(
    ("path", "setter"),
    [
        ("applicant.date_of_birth", lambda d: d["applicant"].update(date_of_birth="2026-11-21")),
        (
            "applicant.id_document.issued_on",
            lambda d: d["applicant"]["id_document"].update(issued_on="2026-11-21"),
        ),
        (
            "applicant.residence_history.1.to",
            lambda d: d["applicant"]["residence_history"][1].update(to="2026-11-21"),
        ),
        (
            "applicant.residence_history.1.from",
            lambda d: d["applicant"]["residence_history"][1].update({"from": "2026-11-21"}),
        ),
    ],
)
def test_a_date_in_the_future_is_an_error(path, setter):
    document = contract_example()
    setter(document)

    errors = errors_of(document)

    assert errors[path].endswith("không được sau ngày hôm nay.")


def test_today_is_not_the_future():
    document = contract_example()
    document["applicant"]["id_document"]["issued_on"] = "2026-11-20"

    validate(document)


def test_a_date_of_birth_before_1900_is_an_error():
    document = contract_example()
    document["applicant"]["date_of_birth"] = "1899-12-31"

    assert "1900" in errors_of(document)["applicant.date_of_birth"]


def test_an_id_issued_before_the_date_of_birth_is_an_error():
    document = contract_example()
    document["applicant"]["id_document"]["issued_on"] = "1990-05-16"

    assert set(errors_of(document)) == {"applicant.id_document.issued_on"}


@pytest.mark.parametrize("relative", ["father", "mother", "spouse"])
def test_a_relative_born_after_this_year_is_an_error(relative):
    document = contract_example()
    document["applicant"][relative] = {"full_name": "NGUYỄN VĂN X", "birth_year": 2027}

    assert set(errors_of(document)) == {f"applicant.{relative}.birth_year"}


def test_a_relative_born_this_year_is_accepted():
    document = contract_example()
    document["applicant"]["spouse"] = {"full_name": "LÊ THỊ ĐÀO", "birth_year": 2026}

    validate(document)


def test_a_relative_with_a_year_but_no_name_is_an_error_on_the_name():
    document = contract_example()
    document["applicant"]["father"] = {"full_name": "", "birth_year": 1960}

    assert set(errors_of(document)) == {"applicant.father.full_name"}


def test_an_empty_relative_becomes_none():
    document = contract_example()
    document["applicant"]["spouse"] = {"full_name": "", "birth_year": None}

    assert validate(document)["applicant"]["spouse"] is None


# --- identity -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [("vn", "VN"), (" fr ", "FR")])
def test_nationality_is_upper_cased(value, expected):
    document = contract_example()
    document["applicant"]["nationality"] = value
    document["applicant"]["id_document"] = {"type": "passport", "number": "C1234567"}

    assert validate(document)["applicant"]["nationality"] == expected


@pytest.mark.parametrize("value", ["VNM", "V", "Việt Nam", "V1", 84])
def test_nationality_must_be_two_letters(value):
    document = contract_example()
    document["applicant"]["nationality"] = value

    assert "applicant.nationality" in errors_of(document)


@pytest.mark.parametrize("value", ["MALE", "nam", "other", 1])
def test_the_api_takes_sex_as_male_or_female(value):
    document = contract_example()
    document["applicant"]["sex"] = value

    assert set(errors_of(document)) == {"applicant.sex"}


@pytest.mark.parametrize(
    ("value", "expected"), [("0912 345 678", "0912345678"), ("+84912345678", "0912345678")]
)
def test_a_phone_is_normalised_to_ten_digits_from_0(value, expected):
    document = contract_example()
    document["applicant"]["phone"] = value

    assert validate(document)["applicant"]["phone"] == expected


@pytest.mark.parametrize("value", ["912345678", "09123456789", "1912345678", "+8412345", "091234567a"])
def test_a_phone_that_is_not_vietnamese_is_an_error(value):
    document = contract_example()
    document["applicant"]["phone"] = value

    assert set(errors_of(document)) == {"applicant.phone"}


@pytest.mark.parametrize("value", ["an", "an@", "@example.vn", "an@example", "a n@example.vn"])
def test_a_malformed_email_is_an_error(value):
    document = contract_example()
    document["applicant"]["email"] = value

    assert set(errors_of(document)) == {"applicant.email"}


def test_other_names_must_be_a_list_for_the_api():
    document = contract_example()
    document["applicant"]["other_names"] = "TÈO"

    assert set(errors_of(document)) == {"applicant.other_names"}


def test_the_form_splits_other_names_on_commas():
    document = form_example()
    document["applicant"]["other_names"] = "tèo, tí;"

    cleaned = validate(document, channel="counter", date_style="vn")

    assert cleaned["applicant"]["other_names"] == ["TÈO", "TÍ"]


# --- id documents -------------------------------------------------------------------------------------


def with_id(document, number, *, doc_type="cccd", sex=None, born=None):
    applicant = document["applicant"]
    applicant["id_document"].update(type=doc_type, number=number)
    if sex:
        applicant["sex"] = sex
    if born:
        applicant["date_of_birth"] = born
        applicant["id_document"]["issued_on"] = None
        applicant["residence_history"] = [{"from": born, "to": None, "address": "Số 12 đường Lê Lợi"}]
    return document


@pytest.mark.parametrize(
    ("number", "sex", "born"),
    [
        ("079090001234", "male", "1990-05-17"),
        ("079190001234", "female", "1990-05-17"),
        ("001205001234", "male", "2005-01-02"),
        ("096305001234", "female", "2005-01-02"),
        ("079 090 001 234", "male", "1990-05-17"),
    ],
)
def test_a_cccd_that_agrees_with_sex_and_birth_year_is_accepted(number, sex, born):
    document = with_id(contract_example(), number, sex=sex, born=born)

    assert validate(document)["applicant"]["id_document"]["number"] == number.replace(" ", "")


@pytest.mark.parametrize("number", ["07909000123", "0790900012345", "07909000123A", "079-090-001234"])
def test_a_cccd_that_is_not_12_digits_is_an_error(number):
    document = with_id(contract_example(), number)

    assert errors_of(document)["applicant.id_document.number"] == "Số CCCD phải gồm 12 chữ số."


def test_a_cccd_with_province_000_is_an_error():
    document = with_id(contract_example(), "000090001234")

    assert "mã tỉnh" in errors_of(document)["applicant.id_document.number"]


@pytest.mark.parametrize("digit", "456789")
def test_a_cccd_whose_century_digit_is_not_0_to_3_is_an_error(digit):
    document = with_id(contract_example(), f"079{digit}90001234")

    assert "chữ số thứ 4" in errors_of(document)["applicant.id_document.number"]


def test_a_cccd_whose_sex_digit_disagrees_with_sex_is_an_error_on_the_number():
    document = with_id(contract_example(), "079190001234", sex="male")

    errors = errors_of(document)

    assert set(errors) == {"applicant.id_document.number"}
    assert "giới tính nữ" in errors["applicant.id_document.number"]


def test_a_cccd_whose_year_digits_disagree_with_the_date_of_birth_is_an_error_on_the_number():
    document = with_id(contract_example(), "079091001234")

    errors = errors_of(document)

    assert set(errors) == {"applicant.id_document.number"}
    assert "năm sinh 1991" in errors["applicant.id_document.number"]
    assert "17/05/1990" in errors["applicant.id_document.number"]


def test_a_cccd_whose_century_disagrees_with_the_date_of_birth_is_an_error_on_the_number():
    document = with_id(contract_example(), "079290001234")

    assert "năm sinh 2090" in errors_of(document)["applicant.id_document.number"]


def test_a_cccd_that_disagrees_on_sex_and_year_says_both():
    document = with_id(contract_example(), "079191001234")

    message = errors_of(document)["applicant.id_document.number"]

    assert "giới tính" in message
    assert "năm sinh" in message


@pytest.mark.parametrize("number", ["123456789", "079090001234"])
def test_a_cmnd_of_9_or_12_digits_is_accepted(number):
    document = with_id(contract_example(), number, doc_type="cmnd")

    assert validate(document)["applicant"]["id_document"]["number"] == number


@pytest.mark.parametrize("number", ["12345678", "1234567890", "12345678A"])
def test_a_cmnd_of_other_lengths_is_an_error(number):
    document = with_id(contract_example(), number, doc_type="cmnd")

    assert errors_of(document)["applicant.id_document.number"] == "Số CMND phải gồm 9 hoặc 12 chữ số."


@pytest.mark.parametrize(
    ("number", "expected"), [("c1234567", "C1234567"), ("AB1234", "AB1234"), ("123456789", "123456789")]
)
def test_a_passport_of_6_to_9_letters_or_digits_is_accepted_upper_cased(number, expected):
    document = with_id(contract_example(), number, doc_type="passport")

    assert validate(document)["applicant"]["id_document"]["number"] == expected


@pytest.mark.parametrize("number", ["C1234", "C12345678X", "C-123456"])
def test_a_passport_of_other_shapes_is_an_error(number):
    document = with_id(contract_example(), number, doc_type="passport")

    assert "applicant.id_document.number" in errors_of(document)


@pytest.mark.parametrize("value", ["gplx", "CCCD", 1])
def test_an_unknown_id_document_type_is_an_error_on_the_type(value):
    document = contract_example()
    document["applicant"]["id_document"]["type"] = value

    assert set(errors_of(document)) == {"applicant.id_document.type"}


# --- residence history --------------------------------------------------------------------------------


def history(document):
    return document["applicant"]["residence_history"]


@pytest.mark.parametrize("value", [None, []])
def test_a_residence_history_is_required(value):
    document = contract_example()
    document["applicant"]["residence_history"] = value

    assert set(errors_of(document)) == {"applicant.residence_history"}


def test_an_agency_request_needs_no_residence_history():
    document = contract_example()
    document["applicant"]["residence_history"] = []
    document["agency"] = {"name": "Sở Nội vụ", "letter_number": "12/SNV", "letter_date": "2026-11-18"}

    assert validate(document, channel="agency")["applicant"]["residence_history"] == []


def test_an_agency_request_still_checks_a_history_it_is_given():
    document = contract_example()
    history(document)[0]["address"] = ""
    document["agency"] = {"name": "Sở Nội vụ", "letter_number": "12/SNV", "letter_date": "2026-11-18"}

    assert set(errors_of(document, channel="agency")) == {"applicant.residence_history.0.address"}


@pytest.mark.parametrize("key", ["from", "address"])
def test_each_entry_needs_from_and_address(key):
    document = contract_example()
    history(document)[1][key] = None

    assert f"applicant.residence_history.1.{key}" in errors_of(document)


def test_only_the_last_entry_may_have_no_end():
    document = contract_example()
    history(document)[0]["to"] = None

    assert set(errors_of(document)) == {"applicant.residence_history.0.to"}


def test_an_entry_that_ends_before_it_starts_is_an_error_on_its_end():
    document = contract_example()
    history(document)[0]["to"] = "2004-05-16"

    assert "applicant.residence_history.0.to" in errors_of(document)


def test_entries_out_of_order_are_an_error():
    document = contract_example()
    history(document).reverse()
    history(document)[0]["to"] = "2012-09-01"
    history(document)[1]["to"] = None

    assert "applicant.residence_history.1.from" in errors_of(document)


def test_a_history_that_starts_after_the_14th_birthday_is_an_error_naming_that_day():
    document = contract_example()
    history(document)[0]["from"] = "2004-05-18"

    errors = errors_of(document)

    assert set(errors) == {"applicant.residence_history.0.from"}
    assert "14 tuổi (17/05/2004)" in errors["applicant.residence_history.0.from"]


def test_a_history_that_starts_before_the_14th_birthday_is_accepted():
    document = contract_example()
    history(document)[0]["from"] = "1990-05-17"

    validate(document)


def test_a_history_entry_before_the_birth_is_an_error():
    document = contract_example()
    history(document)[0]["from"] = "1990-05-16"

    assert set(errors_of(document)) == {"applicant.residence_history.0.from"}


def test_a_foreigner_s_history_may_start_after_the_14th_birthday():
    document = contract_example()
    document["applicant"].update(nationality="JP", ethnicity=None)
    document["applicant"]["id_document"] = {"type": "passport", "number": "TK1234567"}
    history(document)[0]["from"] = "2010-01-01"

    validate(document)


def test_a_child_under_14_needs_only_a_history_that_reaches_today():
    validate(a_minor(contract_example()))


def test_a_14th_birthday_on_29_february_falls_on_1_march():
    document = contract_example()
    document["applicant"]["date_of_birth"] = "1992-02-29"
    document["applicant"]["id_document"]["number"] = "079092001234"
    history(document)[0]["from"] = "2006-03-02"

    assert "01/03/2006" in errors_of(document)["applicant.residence_history.0.from"]


@pytest.mark.parametrize(("next_from", "ok"), [("2012-10-01", True), ("2012-10-02", False)])
def test_a_gap_of_more_than_31_days_between_entries_is_an_error(next_from, ok):
    document = contract_example()
    history(document)[1]["from"] = next_from

    if ok:
        validate(document)
    else:
        assert set(errors_of(document)) == {"applicant.residence_history.1.from"}


def test_overlapping_entries_are_accepted():
    document = contract_example()
    history(document)[0]["to"] = "2013-06-30"

    validate(document)


@pytest.mark.parametrize(("last_to", "ok"), [("2026-10-20", True), ("2026-10-19", False)])
def test_the_last_entry_must_reach_within_31_days_of_today(last_to, ok):
    document = contract_example()
    history(document)[1]["to"] = last_to

    if ok:
        validate(document)
    else:
        assert set(errors_of(document)) == {"applicant.residence_history.1.to"}


def test_a_residence_history_that_is_not_a_list_is_an_error():
    document = contract_example()
    document["applicant"]["residence_history"] = "everywhere"

    assert set(errors_of(document)) == {"applicant.residence_history"}


def test_a_residence_entry_that_is_not_an_object_is_an_error_on_it():
    document = contract_example()
    history(document)[1] = "Hà Nội"

    assert set(errors_of(document)) == {"applicant.residence_history.1"}


# --- requester ----------------------------------------------------------------------------------------


def test_a_phieu_so_1_proxy_with_an_authorisation_is_accepted_and_cleaned():
    document = contract_example()
    document["requester"] = proxy()

    requester = validate(document)["requester"]

    assert requester == {
        "kind": "proxy",
        "full_name": "LÊ THỊ HOA",
        "relationship": "spouse",
        "id_document": {
            "type": "cccd",
            "number": "079190004321",
            "issued_on": date(2021, 1, 5),
            "issued_by": "Cục CS",
        },
        "authorisation_reference": "UQ-2026-17",
        "authorisation_notarised": False,
    }


def test_a_proxy_is_refused_for_a_phieu_so_2():
    document = contract_example()
    document["certificate_type"] = 2
    document["requester"] = proxy()

    assert set(errors_of(document)) == {"requester.kind"}


def test_a_phieu_so_1_proxy_needs_an_authorisation_reference():
    document = contract_example()
    document["requester"] = proxy(authorisation_reference=None)

    assert set(errors_of(document)) == {"requester.authorisation_reference"}


def test_a_proxy_who_is_not_family_needs_a_notarised_authorisation():
    document = contract_example()
    document["requester"] = proxy(relationship="other")

    assert set(errors_of(document)) == {"requester.authorisation_notarised"}


def test_a_proxy_who_is_not_family_with_a_notarised_authorisation_is_accepted():
    document = contract_example()
    document["requester"] = proxy(relationship="other", authorisation_notarised=True)

    validate(document)


@pytest.mark.parametrize("certificate_type", [1, 2])
def test_a_parent_may_ask_for_a_minor(certificate_type):
    document = a_minor(contract_example())
    document["certificate_type"] = certificate_type
    document["requester"] = proxy(kind="parent_of_minor", relationship="parent", authorisation_reference=None)

    assert validate(document)["requester"]["kind"] == "parent_of_minor"


def test_a_parent_may_not_ask_for_an_adult_child():
    document = contract_example()
    document["certificate_type"] = 2
    document["requester"] = proxy(kind="parent_of_minor", relationship="parent")

    assert set(errors_of(document)) == {"requester.kind"}


def test_the_18th_birthday_ends_the_parent_s_right_to_ask():
    document = a_minor(contract_example())
    document["applicant"]["date_of_birth"] = "2008-11-20"
    document["applicant"]["id_document"].update(number="079208001234", issued_on="2024-01-01")
    history(document)[0]["from"] = "2008-11-20"
    document["requester"] = proxy(kind="parent_of_minor", relationship="parent")

    assert set(errors_of(document)) == {"requester.kind"}


def test_a_parent_of_minor_must_be_a_parent():
    document = a_minor(contract_example())
    document["requester"] = proxy(kind="parent_of_minor", relationship="spouse")

    assert set(errors_of(document)) == {"requester.relationship"}


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        ({"full_name": ""}, "requester.full_name"),
        ({"id_document": None}, "requester.id_document.type"),
        ({"id_document": {"type": "cccd", "number": "1234"}}, "requester.id_document.number"),
        ({"kind": "friend"}, "requester.kind"),
        ({"relationship": "cousin"}, "requester.relationship"),
    ],
)
def test_a_requester_needs_a_name_an_id_document_and_known_codes(overrides, path):
    document = contract_example()
    document["requester"] = proxy(**overrides)

    assert path in errors_of(document)


def test_a_requester_cccd_message_names_the_requester():
    document = contract_example()
    document["requester"] = proxy(id_document={"type": "cccd", "number": "1234"})

    assert (
        errors_of(document)["requester.id_document.number"]
        == "Số CCCD của người làm thủ tục thay phải gồm 12 chữ số."
    )


def test_a_requester_cccd_is_not_compared_with_the_applicant_s_sex_or_birth():
    document = contract_example()
    document["requester"] = proxy(id_document={"type": "cccd", "number": "001185000001"})

    validate(document)


# --- fee and delivery ---------------------------------------------------------------------------------


@pytest.mark.parametrize("category", ["standard", "reduced", "exempt"])
def test_each_fee_category_is_accepted(category):
    document = contract_example()
    document["fee"]["category"] = category

    assert validate(document)["fee"]["category"] == category


def test_an_unknown_fee_category_is_an_error():
    document = contract_example()
    document["fee"]["category"] = "free"

    assert set(errors_of(document)) == {"fee.category"}


def test_fee_paid_must_be_a_json_bool():
    document = contract_example()
    document["fee"]["paid"] = "yes"

    assert set(errors_of(document)) == {"fee.paid"}


@pytest.mark.parametrize("method", ["electronic", "counter"])
def test_delivery_without_post_needs_no_postal_address(method):
    document = contract_example()
    document["delivery"]["method"] = method

    assert validate(document)["delivery"]["method"] == method


def test_delivery_by_post_needs_a_postal_address():
    document = contract_example()
    document["delivery"] = {"method": "post", "postal_address": "  "}

    assert set(errors_of(document)) == {"delivery.postal_address"}


def test_delivery_by_post_with_an_address_is_accepted():
    document = contract_example()
    document["delivery"] = {"method": "post", "postal_address": "Số 12 đường Lê Lợi"}

    assert validate(document)["delivery"]["postal_address"] == "Số 12 đường Lê Lợi"


def test_an_unknown_delivery_method_is_an_error():
    document = contract_example()
    document["delivery"]["method"] = "pigeon"

    assert set(errors_of(document)) == {"delivery.method"}


# --- by post ------------------------------------------------------------------------------------------


def by_post(document, **postal):
    document["postal"] = {"tracking_number": "EB123456789VN", "arrived_on": "19/11/2026", **postal}
    return document


def test_a_request_by_post_is_accepted_with_its_parcel():
    cleaned = validate(by_post(form_example()), channel="post", date_style="vn")

    assert cleaned["postal"] == {
        "tracking_number": "EB123456789VN",
        "arrived_on": date(2026, 11, 19),
        "certified_signature": False,
        "certified_signature_reference": None,
    }


@pytest.mark.parametrize("key", ["tracking_number", "arrived_on"])
def test_a_request_by_post_needs_its_tracking_number_and_arrival_date(key):
    document = by_post(form_example(), **{key: ""})

    assert set(errors_of(document, channel="post", date_style="vn")) == {f"postal.{key}"}


def test_a_request_by_post_without_a_postal_block_reports_its_fields():
    errors = errors_of(form_example(), channel="post", date_style="vn")

    assert {"postal.tracking_number", "postal.arrived_on"} <= set(errors)


def test_a_parcel_that_arrives_in_the_future_is_an_error():
    document = by_post(form_example(), arrived_on="21/11/2026")

    assert set(errors_of(document, channel="post", date_style="vn")) == {"postal.arrived_on"}


def test_the_postal_block_can_come_in_iso_dates():
    document = contract_example()
    document["postal"] = {"tracking_number": "EB123456789VN", "arrived_on": "2026-11-19"}

    assert validate(document, channel="post")["postal"]["arrived_on"] == date(2026, 11, 19)


@pytest.mark.parametrize(
    "postal",
    [
        {},
        {"certified_signature": "on"},
        {"certified_signature_reference": "CT-123"},
        {"certified_signature": "", "certified_signature_reference": "CT-123"},
    ],
)
def test_a_phieu_so_2_by_post_needs_a_certified_signature_and_its_reference(postal):
    document = by_post(form_example(), **postal)
    document["certificate_type"] = "2"

    assert set(errors_of(document, channel="post", date_style="vn")) == {"postal.certified_signature"}


def test_a_phieu_so_2_by_post_with_a_certified_signature_is_accepted():
    document = by_post(form_example(), certified_signature="on", certified_signature_reference="CT-123")
    document["certificate_type"] = "2"

    assert validate(document, channel="post", date_style="vn")["postal"]["certified_signature"] is True


def test_the_postal_block_is_ignored_on_other_channels():
    document = by_post(contract_example(), tracking_number="")

    assert validate(document)["postal"] is None


# --- from agencies ------------------------------------------------------------------------------------


def by_agency(document, **agency):
    document["agency"] = {
        "name": "Tòa án nhân dân Thành phố Hồ Chí Minh",
        "letter_number": "123/TA-HS",
        "letter_date": "18/11/2026",
        **agency,
    }
    return document


def agency_errors(document):
    return errors_of(document, channel="agency", date_style="vn")


def test_an_agency_request_is_accepted_with_its_letter():
    cleaned = validate(by_agency(form_example()), channel="agency", date_style="vn")

    assert cleaned["agency"] == {
        "name": "Tòa án nhân dân Thành phố Hồ Chí Minh",
        "letter_number": "123/TA-HS",
        "letter_date": date(2026, 11, 18),
        "is_urgent": False,
        "notified_by": "paper",
    }


@pytest.mark.parametrize("key", ["name", "letter_number", "letter_date"])
def test_an_agency_request_on_paper_needs_the_agency_and_its_letter(key):
    document = by_agency(form_example(), **{key: ""})

    assert set(agency_errors(document)) == {f"agency.{key}"}


def test_an_agency_letter_dated_in_the_future_is_an_error():
    document = by_agency(form_example(), letter_date="21/11/2026")

    assert set(agency_errors(document)) == {"agency.letter_date"}


@pytest.mark.parametrize("notified_by", ["phone", "fax"])
def test_an_agency_request_by_phone_or_fax_may_come_before_its_letter(notified_by):
    document = by_agency(
        form_example(), letter_number="", letter_date="", notified_by=notified_by, is_urgent="on"
    )
    document["certificate_type"] = "2"

    agency = validate(document, channel="agency", date_style="vn")["agency"]

    assert agency["letter_number"] is None
    assert agency["letter_date"] is None
    assert agency["notified_by"] == notified_by
    assert agency["is_urgent"] is True


def test_an_agency_notified_by_an_unknown_means_is_an_error():
    document = by_agency(form_example(), notified_by="email")

    assert set(agency_errors(document)) == {"agency.notified_by"}


def test_an_urgent_agency_request_is_allowed_for_a_phieu_so_2():
    document = by_agency(form_example(), is_urgent="on")
    document["certificate_type"] = "2"

    assert validate(document, channel="agency", date_style="vn")["agency"]["is_urgent"] is True


def test_an_urgent_agency_request_for_a_phieu_so_1_is_an_error():
    document = by_agency(form_example(), is_urgent="on")

    assert set(agency_errors(document)) == {"agency.is_urgent"}


def test_an_agency_request_needs_no_phone_or_email_of_the_applicant():
    document = by_agency(form_example())
    document["applicant"].update(phone="", email="")

    validate(document, channel="agency", date_style="vn")


def test_the_agency_block_is_ignored_on_other_channels():
    document = by_agency(contract_example(), name="")

    assert validate(document)["agency"] is None
