"""The dashboard: who may see it, the period and unit in the URL, the htmx block, the charts as SVG."""

import pytest

from lltp.accounts.models import Role, UnitKind
from lltp.reports.figures import figures
from lltp.reports.forms import parse_filters
from lltp.reports.views import recent_figures
from tests.factories import create_unit, create_user
from tests.reports.cases import build_quarter

Q1 = {"from": "01/01/2025", "to": "31/03/2025"}


@pytest.fixture
def reader(db):
    return create_user(roles=(Role.REPORT_READER,))


@pytest.fixture
def quarter(db):
    return build_quarter()


@pytest.mark.parametrize(
    ("role", "unit_kind"),
    [(Role.VERIFIER, UnitKind.PROVINCIAL_POLICE), (Role.INTAKE_OFFICER, UnitKind.ISSUING_AUTHORITY)],
)
@pytest.mark.parametrize(
    "path", ["/bao-cao", "/bao-cao/bieu-do/kenh.svg", "/bao-cao/ho-so.csv", "/bao-cao/dinh-ky.xlsx"]
)
def test_verifiers_and_intake_officers_are_refused(login_as, role, unit_kind, path):
    unit = create_unit(unit_kind) if unit_kind is not UnitKind.ISSUING_AUTHORITY else None
    client = login_as(create_user(roles=(role,), unit=unit))
    assert client.get(path, query_string=Q1).status_code == 403


@pytest.mark.parametrize("role", [Role.REPORT_READER, Role.ADMINISTRATOR])
def test_report_readers_and_administrators_see_the_dashboard(login_as, role):
    client = login_as(create_user(roles=(role,)))
    response = client.get("/bao-cao")
    assert response.status_code == 200
    assert "Báo cáo kết quả cấp Phiếu lý lịch tư pháp" in response.get_data(as_text=True)


def test_the_period_in_the_url_gives_the_quarters_figures(login_as, reader, quarter):
    page = login_as(reader).get("/bao-cao", query_string=Q1).get_data(as_text=True)
    assert 'data-figure="received">11<' in page
    assert 'data-figure="vneid">2 (18,18%)<' in page
    assert 'data-figure="late">2<' in page
    assert (
        "tiếp nhận 2 yêu cầu cấp Phiếu LLTP trên ứng dụng VNeID/11 tổng số hồ sơ (chiếm tỷ lệ 18,18%)" in page
    )
    assert 'value="01/01/2025"' in page


def test_htmx_gets_only_the_report_block(login_as, reader, quarter):
    response = login_as(reader).get("/bao-cao", query_string=Q1, headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="report">')
    assert "<html" not in body
    assert "HX-Request" in response.headers["Vary"]


def test_a_bad_date_is_shown_next_to_its_field(login_as, reader):
    response = login_as(reader).get("/bao-cao", query_string={"from": "31/02/2025"})
    assert response.status_code == 422
    assert "Ngày không hợp lệ, hãy nhập theo dạng dd/mm/yyyy." in response.get_data(as_text=True)


def test_a_period_ending_before_it_starts_is_refused(login_as, reader):
    response = login_as(reader).get("/bao-cao", query_string={"from": "01/03/2025", "to": "01/01/2025"})
    assert response.status_code == 422
    assert "Ngày kết thúc không được trước ngày bắt đầu." in response.get_data(as_text=True)


def test_a_unit_that_is_not_a_verifying_unit_is_refused(login_as, reader):
    response = login_as(reader).get("/bao-cao", query_string={**Q1, "unit": str(reader.unit_id)})
    assert response.status_code == 422


def test_the_unit_filter_narrows_the_figures(login_as, reader, quarter):
    query = {**Q1, "unit": str(quarter.police.id)}
    page = login_as(reader).get("/bao-cao", query_string=query).get_data(as_text=True)
    assert 'data-figure="received">1<' in page
    assert f"unit={quarter.police.id}" in page  # the charts and exports carry the unit too


def test_each_chart_is_an_svg_that_loads_no_remote_script(login_as, reader, quarter):
    client = login_as(reader)
    page = client.get("/bao-cao", query_string=Q1).get_data(as_text=True)
    assert page.count('<img src="/bao-cao/bieu-do/') == 10
    response = client.get("/bao-cao/bieu-do/kenh.svg", query_string=Q1)
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    # pygal's tooltips script would come from its site; its inline config never runs in an <img>.
    assert "kozea.github.io" not in svg
    assert "<script" not in svg.replace('<script type="text/javascript">window.pygal', "")
    assert "Tại quầy" in svg and "VNeID" in svg


def test_an_unknown_chart_is_not_found(login_as, reader):
    assert login_as(reader).get("/bao-cao/bieu-do/khong-co.svg", query_string=Q1).status_code == 404


def test_the_menu_offers_reports_to_report_readers(login_as, reader):
    page = login_as(reader).get("/bao-cao").get_data(as_text=True)
    assert 'href="/bao-cao" aria-current="page"' in page


def test_the_charts_reuse_the_figures_the_page_just_counted(app, monkeypatch, quarter):
    monkeypatch.setitem(app.config, "LLTP_REPORT_CACHE_SECONDS", 60)
    filters, _form, _errors = parse_filters(Q1)
    first = recent_figures(filters)
    assert recent_figures(filters) is first
    assert first.received == figures(filters.period_from, filters.period_to).received


def test_without_a_cache_time_the_figures_are_counted_again(app, quarter):
    filters, _form, _errors = parse_filters(Q1)
    assert recent_figures(filters) is not recent_figures(filters)
