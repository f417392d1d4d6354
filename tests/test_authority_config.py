"""The issuing authority is configuration: a Sở Tư pháp and a provincial police run the same code."""

from lltp.cases.models import CaseStage
from tests.factories import create_case


def test_case_codes_carry_the_configured_authority_code(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "LLTP_AUTHORITY_CODE", "STPDN")
    case = create_case(CaseStage.RECEIVED)
    assert case.code.startswith("STPDN-")


def test_pages_name_the_configured_authority(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LLTP_AUTHORITY_NAME", "Sở Tư pháp tỉnh Đồng Nai")
    body = client.get("/dang-nhap").get_data(as_text=True)
    assert "Sở Tư pháp tỉnh Đồng Nai" in body
