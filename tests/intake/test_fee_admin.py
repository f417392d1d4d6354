"""The administrator's fee schedule pages: the seeded rates and today's rate, adding and editing rates and
subsidies (audited, validated field by field), and who may open them."""

from datetime import date

import pytest
import sqlalchemy as sa

from lltp.cases.models import Channel
from lltp.core import clock
from lltp.core.audit import AuditEvent
from lltp.intake import fees
from lltp.intake.models import FeeCategory, FeeRule, FeeSubsidy
from tests.factories import outsider

FEES = "/quan-tri/le-phi"
RULES = f"{FEES}/muc-thu"
SUBSIDIES = f"{FEES}/ho-tro"


def count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def rule(db, code):
    return db.session.scalar(sa.select(FeeRule).where(FeeRule.code == code))


def subsidy(db, code):
    return db.session.scalar(sa.select(FeeSubsidy).where(FeeSubsidy.code == code))


def fee(channel=Channel.COUNTER, day=date(2027, 3, 1), authority_code="HCM", category=FeeCategory.STANDARD):
    return fees.fee_for(category=category, channel=channel, day=day, copies=1, authority_code=authority_code)


def rule_form(**changes):
    """A new rate as its form posts it: a future circular, from 01/01/2027, 250.000 đ for everyone."""
    form = {
        "code": "tt_2027_standard",
        "name": "Mức thu năm 2027",
        "legal_basis": "Thông tư mới của Bộ Tài chính",
        "category": "standard",
        "valid_from": "01/01/2027",
        "valid_to": "",
        "amount": "250.000",
        "included_copies": "2",
        "extra_copy_amount": "5000",
    }
    form.update(changes)
    return form


def edit_form(db, code, **changes):
    """A seeded rate as its edit form posts it, with `changes`."""
    row = rule(db, code)
    form = {
        "name": row.name,
        "legal_basis": row.legal_basis,
        "category": str(row.category),
        "channels": row.channels or [],
        "valid_from": row.valid_from.strftime("%d/%m/%Y"),
        "valid_to": row.valid_to.strftime("%d/%m/%Y") if row.valid_to else "",
        "amount": str(row.amount),
        "included_copies": str(row.included_copies),
        "extra_copy_amount": str(row.extra_copy_amount),
    }
    form.update(changes)
    return form


def subsidy_form(**changes):
    form = {
        "code": "hcm_online_2027",
        "name": "TP. Hồ Chí Minh hỗ trợ 50% lệ phí nộp trực tuyến",
        "legal_basis": "Nghị quyết của HĐND TP. Hồ Chí Minh",
        "authority_code": "hcm",
        "channels": ["online"],
        "valid_from": "01/01/2027",
        "valid_to": "31/12/2027",
        "percent": "50",
    }
    form.update(changes)
    return form


def error_of(page, field):
    return page.split(f'id="f-{field.replace("_", "-")}-error" aria-live="polite">', 1)[1].split("</p>", 1)[0]


# --- the schedule page -------------------------------------------------------------------------------------


def test_the_schedule_lists_the_seeded_rates_and_subsidy_and_todays_rate(db, as_admin, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2025, 6, 1))

    page = as_admin.get(FEES).get_data(as_text=True)

    for text in (
        "Mức thu năm 2016",
        "Mức thu năm 2025",
        "tt16_2025_online_reduced",
        "01/01/2017",
        "23/04/2025",
        "200.000 đ",
        "170.000 đ",
        "5.000 đ",
        "Thông tư số 244/2016/TT-BTC",
        "hanoi_vneid_2024",
        "100%",
        "Mọi kênh",
        "VNeID",
        f'href="{RULES}/{rule(db, "tt16_2025_standard").id}"',
        f'href="{SUBSIDIES}/{subsidy(db, "hanoi_vneid_2024").id}"',
    ):
        assert text in page, text
    today = page.split('id="today"', 1)[1].split("</table>", 1)[0]
    standard = today.split("</tr>", 2)[1]  # the head row, then the standard category's row
    assert "01/06/2025" in page
    counter, online = standard.split("<td>")[1:3]
    assert "<strong>200.000 đ</strong>" in counter and "Mức thu năm 2025" in counter
    assert "<strong>170.000 đ</strong>" in online and "trực tuyến" in online


def test_the_menu_links_to_the_schedule(db, as_admin):
    assert f'href="{FEES}"' in as_admin.get(FEES).get_data(as_text=True)


# --- rates -------------------------------------------------------------------------------------------------


def test_an_administrator_adds_a_future_rate_that_applies_from_its_first_day(db, as_admin, admin):
    response = as_admin.post(f"{RULES}/moi", data=rule_form())

    assert response.status_code == 303
    assert response.headers["Location"].endswith(FEES)
    added = rule(db, "tt_2027_standard")
    assert (added.amount, added.valid_from, added.valid_to, added.channels) == (
        250_000,
        date(2027, 1, 1),
        None,
        None,
    )
    assert fee(day=date(2027, 3, 1)).amount == 250_000
    assert fee(day=date(2027, 3, 1)).rule_code == "tt_2027_standard"
    assert fee(day=date(2026, 12, 31)).amount == 200_000
    assert fee(day=date(2027, 1, 1), category=FeeCategory.REDUCED).amount == 100_000  # only standard changed
    row = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "fee_rule.create")).one()
    assert (row.actor_id, row.object_id, row.details["before"]) == (admin.id, "tt_2027_standard", None)
    assert row.details["after"]["amount"] == 250_000
    assert row.details["after"]["valid_from"] == "2027-01-01"
    assert row.details["after"]["category"] == "standard"


def test_a_rate_for_some_channels_beats_the_general_rate_there_only(db, as_admin):
    as_admin.post(f"{RULES}/moi", data=rule_form())
    as_admin.post(
        f"{RULES}/moi",
        data=rule_form(code="tt_2027_online", amount="210000", channels=["online", "vneid"]),
    )

    assert fee(Channel.ONLINE).amount == 210_000
    assert fee(Channel.VNEID).amount == 210_000
    assert fee(Channel.COUNTER).amount == 250_000


def test_editing_a_rate_changes_only_what_changed_and_is_audited_before_and_after(db, as_admin, admin):
    online = rule(db, "tt16_2025_online_standard")

    response = as_admin.post(
        f"{RULES}/{online.id}",
        data=edit_form(db, "tt16_2025_online_standard", amount="160.000", valid_to="30/06/2026"),
    )

    assert response.status_code == 303
    db.session.expire_all()
    online = rule(db, "tt16_2025_online_standard")
    assert (online.amount, online.valid_to, online.valid_from) == (
        160_000,
        date(2026, 6, 30),
        date(2025, 4, 24),
    )
    assert (online.name, online.channels, online.extra_copy_amount) == (
        "Mức thu ưu đãi khi nộp trực tuyến (24/4 – 31/12/2025)",
        ["online", "vneid", "national_portal", "provincial_portal"],
        5000,
    )
    row = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "fee_rule.update")).one()
    assert (row.actor_id, row.object_id) == (admin.id, "tt16_2025_online_standard")
    assert row.details == {
        "before": {"amount": 170_000, "valid_to": "2025-12-31"},
        "after": {"amount": 160_000, "valid_to": "2026-06-30"},
    }
    assert fee(Channel.ONLINE, day=date(2026, 3, 1)).amount == 160_000


def test_the_edit_form_shows_the_rate(db, as_admin):
    page = as_admin.get(f"{RULES}/{rule(db, 'tt16_2025_online_standard').id}").get_data(as_text=True)

    assert 'value="170.000"' in page
    assert 'value="24/04/2025"' in page
    assert 'value="vneid" checked' in page
    assert 'value="standard" selected' in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"code": "X"}, "code", "Mã gồm 2–40"),
        ({"code": "tt244_2016_standard"}, "code", "đã được dùng"),
        ({"name": "  "}, "name", "Vui lòng nhập"),
        ({"legal_basis": ""}, "legal_basis", "Vui lòng nhập"),
        ({"category": "vip"}, "category", "đối tượng"),
        ({"valid_from": ""}, "valid_from", "ngày bắt đầu"),
        ({"valid_from": "2027-01-01"}, "valid_from", "dd/mm/yyyy"),
        ({"valid_to": "31/02/2027"}, "valid_to", "dd/mm/yyyy"),
        ({"valid_to": "01/01/2027"}, "valid_to", "phải sau"),
        ({"channels": ["online", "fax"]}, "channels", "Kênh không hợp lệ"),
        ({"amount": ""}, "amount", "10.000.000"),
        ({"amount": "12.000.000"}, "amount", "10.000.000"),
        ({"amount": "250.5"}, "amount", "số nguyên"),
        ({"amount": "-1"}, "amount", "số nguyên"),
        ({"included_copies": "11"}, "included_copies", "từ 0 đến 10"),
        ({"extra_copy_amount": "2000000"}, "extra_copy_amount", "1.000.000"),
        ({"valid_from": "24/04/2025", "code": "tt_again"}, "valid_from", "Mức thu năm 2025"),
    ],
    ids=lambda value: str(value),
)
def test_an_invalid_rate_shows_the_error_next_to_its_field_and_stores_nothing(
    db, as_admin, changes, field, message
):
    before = (count(db, FeeRule), count(db, AuditEvent))

    response = as_admin.post(f"{RULES}/moi", data=rule_form(**changes))

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in error_of(page, field)
    assert 'aria-invalid="true"' in page
    assert (count(db, FeeRule), count(db, AuditEvent)) == before


def test_an_invalid_edit_changes_nothing(db, as_admin):
    standard = rule(db, "tt16_2025_standard")
    audit_rows = count(db, AuditEvent)

    response = as_admin.post(f"{RULES}/{standard.id}", data=edit_form(db, "tt16_2025_standard", amount="abc"))

    assert response.status_code == 422
    assert "số nguyên" in error_of(response.get_data(as_text=True), "amount")
    db.session.expire_all()
    assert rule(db, "tt16_2025_standard").amount == 200_000
    assert count(db, AuditEvent) == audit_rows


def test_an_unknown_rate_is_404(db, as_admin):
    assert as_admin.get(f"{RULES}/9999").status_code == 404
    assert as_admin.get(f"{SUBSIDIES}/9999").status_code == 404


# --- subsidies ---------------------------------------------------------------------------------------------


def test_an_added_subsidy_lowers_the_fee_for_its_channel_and_authority_only(db, as_admin, admin):
    response = as_admin.post(f"{SUBSIDIES}/moi", data=subsidy_form())

    assert response.status_code == 303
    added = subsidy(db, "hcm_online_2027")
    assert (added.authority_code, added.channels, added.percent) == ("HCM", ["online"], 50)
    online = fee(Channel.ONLINE, day=date(2027, 3, 1), authority_code="HCM")
    assert (online.amount, online.subsidy_code, online.subsidy_amount) == (
        100_000,
        "hcm_online_2027",
        100_000,
    )
    assert fee(Channel.COUNTER, authority_code="HCM").amount == 200_000
    assert fee(Channel.ONLINE, authority_code="HN").amount == 200_000
    assert fee(Channel.ONLINE, day=date(2028, 1, 1), authority_code="HCM").amount == 200_000
    row = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "fee_subsidy.create")).one()
    assert (row.actor_id, row.details["before"], row.details["after"]["percent"]) == (admin.id, None, 50)


def test_editing_a_subsidy_is_audited(db, as_admin):
    hanoi = subsidy(db, "hanoi_vneid_2024")
    form = subsidy_form(
        name=hanoi.name,
        legal_basis=hanoi.legal_basis,
        authority_code="HN",
        channels=["vneid"],
        valid_from="01/06/2024",
        valid_to="31/12/2024",
        percent="80",
    )

    response = as_admin.post(f"{SUBSIDIES}/{hanoi.id}", data=form)

    assert response.status_code == 303
    row = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "fee_subsidy.update")).one()
    assert row.details == {"before": {"percent": 100}, "after": {"percent": 80}}
    vneid = fee(Channel.VNEID, day=date(2024, 7, 1), authority_code="HN")
    assert (vneid.amount, vneid.subsidy_percent) == (40_000, 80)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"percent": "0"}, "percent"),
        ({"percent": "101"}, "percent"),
        ({"percent": ""}, "percent"),
        ({"authority_code": "HỒ CHÍ MINH"}, "authority_code"),
        ({"authority_code": "A" * 17}, "authority_code"),
        ({"code": "hanoi_vneid_2024"}, "code"),
        ({"valid_to": "31/12/2026"}, "valid_to"),
        ({"channels": ["pigeon"]}, "channels"),
        ({"name": ""}, "name"),
    ],
    ids=lambda value: str(value),
)
def test_an_invalid_subsidy_shows_the_error_next_to_its_field_and_stores_nothing(
    db, as_admin, changes, field
):
    before = (count(db, FeeSubsidy), count(db, AuditEvent))

    response = as_admin.post(f"{SUBSIDIES}/moi", data=subsidy_form(**changes))

    assert response.status_code == 422
    assert error_of(response.get_data(as_text=True), field).strip()
    assert (count(db, FeeSubsidy), count(db, AuditEvent)) == before


# --- access -------------------------------------------------------------------------------------------------

PAGES = [
    ("get", FEES),
    ("get", f"{RULES}/moi"),
    ("post", f"{RULES}/moi"),
    ("get", f"{RULES}/1"),
    ("post", f"{RULES}/1"),
    ("get", f"{SUBSIDIES}/moi"),
    ("post", f"{SUBSIDIES}/moi"),
    ("get", f"{SUBSIDIES}/1"),
    ("post", f"{SUBSIDIES}/1"),
]


@pytest.mark.parametrize("who", ["authority-staff", "police"])
@pytest.mark.parametrize(("method", "url"), PAGES)
def test_only_the_authoritys_administrator_may_open_the_schedule(db, login_as, who, method, url):
    user = outsider(who)
    client = login_as(user)
    rules_before = count(db, FeeRule)

    response = getattr(client, method)(url, data=rule_form())

    assert response.status_code == 403
    assert count(db, FeeRule) == rules_before
    fee_audit = AuditEvent.action.like("fee_%")
    assert db.session.scalar(sa.select(sa.func.count()).where(fee_audit)) == 0


@pytest.mark.parametrize(("method", "url"), PAGES)
def test_an_anonymous_visitor_is_sent_to_log_in(db, client, method, url):
    response = getattr(client, method)(url)

    assert response.status_code in (302, 303)
    assert "/dang-nhap" in response.headers["Location"]


def test_the_rule_and_subsidy_forms_name_what_they_add_and_post_to_themselves(as_admin):
    rule_page = as_admin.get("/quan-tri/le-phi/muc-thu/moi").get_data(as_text=True)
    subsidy_page = as_admin.get("/quan-tri/le-phi/ho-tro/moi").get_data(as_text=True)

    assert "<h1>Thêm mức thu mới</h1>" in rule_page
    assert 'action="/quan-tri/le-phi/muc-thu/moi"' in rule_page
    assert "<h1>Thêm khoản hỗ trợ</h1>" in subsidy_page
    assert 'action="/quan-tri/le-phi/ho-tro/moi"' in subsidy_page
