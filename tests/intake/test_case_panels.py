"""The intake panels on the case page: the registry, flags, one-stop papers, the request to complete the
dossier (and its return, which restarts the count), and the refusal.

The helpers at the top (`intake_case`, `officer`) serve the other case-page tests of intake too.
"""

from datetime import timedelta

import sqlalchemy as sa

from lltp.accounts.models import Role
from lltp.cases import panels
from lltp.cases import services as case_services
from lltp.cases.models import API_CHANNELS, CaseStage, Channel
from lltp.core import clock
from lltp.core.audit import Actor, AuditEvent
from lltp.core.calendar import working_calendar
from lltp.extensions import db as _db
from lltp.intake import services
from lltp.intake.models import CaseFlag, FlagKind, OneStopPaper, PaperKind, PaymentMethod
from lltp.intake.validation import validate_request
from tests.factories import create_case, create_user
from tests.intake.helpers import valid_document


def intake_actor():
    return Actor(user=create_user(roles=(Role.INTAKE_OFFICER,), full_name="Cán Bộ Một Cửa"), ip="127.0.0.1")


def intake_case(channel=Channel.COUNTER, *, at=None, paid=True, fee_proof_checked=False, **overrides):
    """A case received through intake on `channel`, as `receive_request` makes it. At the counter it is
    paid in cash unless `paid` is False; online it waits for payment; the API's cases come as the contract
    sends them."""
    channel = Channel(channel)
    at = at or clock.now()
    if channel in API_CHANNELS:
        overrides = {
            "external_id": f"EXT-{clock.now().timestamp()}",
            "submitted_at": at.isoformat(),
            **overrides,
        }
    request = validate_request(valid_document(**overrides), channel=channel, today=clock.today())
    actor = Actor.system(str(channel)) if channel in API_CHANNELS else intake_actor()
    payment = None
    if paid and channel in (Channel.COUNTER, Channel.POST):
        owed = services.quote_fee(request, channel=channel, day=clock.local_date(at)).amount
        payment = services.PaymentInput(PaymentMethod.CASH, owed, receipt_number="BL-0001")
    case = services.receive_request(
        request, channel=channel, actor=actor, at=at, payment=payment, fee_proof_checked=fee_proof_checked
    )
    _db.session.flush()
    return case


def officer(*roles, unit=None):
    """A user holding `roles`, in `unit` (the issuing authority by default), to log in with `login_as`."""
    return create_user(roles=roles, unit=unit, full_name="Cán Bộ Trang Hồ Sơ")


def page(client, case):
    return client.get(f"/ho-so/{case.code}").get_data(as_text=True)


def flags_of(case, kind):
    return _db.session.scalars(
        sa.select(CaseFlag).where(CaseFlag.case_id == case.id, CaseFlag.kind == kind)
    ).all()


def papers(case, kind):
    return _db.session.scalars(
        sa.select(OneStopPaper)
        .where(OneStopPaper.case_id == case.id, OneStopPaper.kind == kind)
        .order_by(OneStopPaper.id)
    ).all()


# --- the registry --------------------------------------------------------------------------------


def test_a_panel_whose_context_is_none_is_not_shown(db, monkeypatch):
    case = create_case()
    monkeypatch.setattr(panels, "CASE_PANELS", [])
    panels.register(panels.Panel("b.html", lambda case, user: {"n": 2}, order=2))
    panels.register(panels.Panel("hidden.html", lambda case, user: None, order=1))
    panels.register(panels.Panel("a.html", lambda case, user: {"n": 1, "replaces": ("refuse",)}, order=0))
    shown = panels.shown_panels(case, None)
    assert [(p.template, p.context["n"]) for p in shown] == [("a.html", 1), ("b.html", 2)]
    assert panels.replaced_actions(shown) == {"refuse"}


def test_the_completion_form_replaces_the_plain_button(login_as, db):
    case = intake_case()
    body = page(login_as(officer(Role.INTAKE_OFFICER)), case)
    assert f"/ho-so/{case.code}/yeu-cau-bo-sung" in body
    assert f"/ho-so/{case.code}/thao-tac/request_completion" not in body
    assert "Bổ sung đầy đủ quá trình cư trú từ khi đủ 14 tuổi đến nay" in body


# --- flags ---------------------------------------------------------------------------------------


def test_a_possible_duplicate_links_to_the_other_case_and_counts_in_the_badge(login_as, db):
    first = intake_case()
    second = intake_case()
    body = page(login_as(officer(Role.PROCESSING_OFFICER)), second)
    assert "Có thể trùng với hồ sơ đang giải quyết" in body
    assert f'href="/ho-so/{first.code}"' in body
    assert 'href="#flags-panel">1 cảnh báo</a>' in body


def test_a_case_without_flags_shows_no_flags_panel(login_as, db):
    body = page(login_as(officer(Role.PROCESSING_OFFICER)), intake_case())
    assert 'id="flags-panel"' not in body
    assert "cảnh báo</a>" not in body


def test_resolving_a_flag_with_a_note_closes_it_and_audits(login_as, db):
    intake_case()
    case = intake_case()
    flag = flags_of(case, FlagKind.POSSIBLE_DUPLICATE)[0]
    client = login_as(officer(Role.INTAKE_OFFICER))
    response = client.post(f"/ho-so/{case.code}/canh-bao/{flag.id}/xu-ly", data={"note": "Hồ sơ cũ đã rút"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/ho-so/{case.code}#flags-panel")
    _db.session.refresh(flag)
    assert (flag.is_open, flag.resolution_note) == (False, "Hồ sơ cũ đã rút")
    assert (
        _db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "case_flag.resolve")).case_id
        == case.id
    )


def test_resolving_a_flag_without_a_note_is_refused_next_to_the_field(login_as, db):
    intake_case()
    case = intake_case()
    flag = flags_of(case, FlagKind.POSSIBLE_DUPLICATE)[0]
    response = login_as(officer(Role.INTAKE_OFFICER)).post(
        f"/ho-so/{case.code}/canh-bao/{flag.id}/xu-ly", data={"note": " "}
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert f'id="flag-{flag.id}-note-error">Vui lòng ghi rõ cách đã xử lý.</p>' in body
    _db.session.refresh(flag)
    assert flag.is_open


def test_another_cases_flag_is_not_found(login_as, db):
    intake_case()
    flagged = intake_case()
    flag = flags_of(flagged, FlagKind.POSSIBLE_DUPLICATE)[0]
    other = create_case()
    response = login_as(officer(Role.INTAKE_OFFICER)).post(
        f"/ho-so/{other.code}/canh-bao/{flag.id}/xu-ly", data={"note": "x"}
    )
    assert response.status_code == 404


URGENT_BY_PHONE = {
    "certificate_type": 2,
    "requester": None,
    "agency": {"name": "Tòa án nhân dân Khu vực 1", "is_urgent": True, "notified_by": "phone"},
}


def test_an_urgent_request_by_phone_shows_the_follow_up_paper_due(login_as, db):
    case = intake_case(Channel.AGENCY, **URGENT_BY_PHONE)
    due = case.declaration.follow_up_due_on
    body = page(login_as(officer(Role.INTAKE_OFFICER)), case)
    assert "Chưa nhận công văn gửi sau" in body
    assert f'<span class="deadline risk">hạn {due:%d/%m/%Y}</span>' in body


def test_a_follow_up_paper_past_its_due_date_is_shown_late(login_as, db):
    case = intake_case(Channel.AGENCY, at=clock.now() - timedelta(days=10), **URGENT_BY_PHONE)
    due = case.declaration.follow_up_due_on
    body = page(login_as(officer(Role.INTAKE_OFFICER)), case)
    assert f'<span class="deadline late">quá hạn, phải nhận trước {due:%d/%m/%Y}</span>' in body


def test_recording_the_follow_up_paper_resolves_its_flag(login_as, db):
    case = intake_case(Channel.AGENCY, **URGENT_BY_PHONE)
    letter_day = clock.today()
    response = login_as(officer(Role.INTAKE_OFFICER)).post(
        f"/ho-so/{case.code}/cong-van-gui-sau",
        data={"agency.letter_number": "125/CV-TA", "agency.letter_date": f"{letter_day:%d/%m/%Y}"},
    )
    assert response.status_code == 303
    _db.session.refresh(case.declaration)
    assert (case.declaration.agency_letter_number, case.declaration.agency_letter_date) == (
        "125/CV-TA",
        letter_day,
    )
    assert not flags_of(case, FlagKind.FOLLOW_UP_PAPER_MISSING)[0].is_open


def test_a_follow_up_paper_with_a_bad_date_is_refused_next_to_the_field(login_as, db):
    case = intake_case(Channel.AGENCY, **URGENT_BY_PHONE)
    response = login_as(officer(Role.INTAKE_OFFICER)).post(
        f"/ho-so/{case.code}/cong-van-gui-sau",
        data={"agency.letter_number": "125/CV-TA", "agency.letter_date": "31/02/2026"},
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="f-agency-letter-date-error" aria-live="polite">Ngày không hợp lệ' in body
    assert flags_of(case, FlagKind.FOLLOW_UP_PAPER_MISSING)[0].is_open


# --- one-stop papers -----------------------------------------------------------------------------


def test_the_papers_panel_lists_the_receipt_with_its_download_link(login_as, db):
    case = intake_case()
    receipt = papers(case, PaperKind.RECEIPT)[0]
    body = page(login_as(officer(Role.PROCESSING_OFFICER)), case)
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in body
    assert f'<a href="/ho-so/{case.code}/giay-to/{receipt.id}.pdf">{receipt.number}</a>' in body


def test_a_paper_downloads_as_a_pdf_and_the_read_is_audited(login_as, db):
    case = intake_case()
    receipt = papers(case, PaperKind.RECEIPT)[0]
    response = login_as(officer(Role.RETURNING_OFFICER)).get(f"/ho-so/{case.code}/giay-to/{receipt.id}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert response.headers["Cache-Control"] == "no-store"
    row = _db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "paper.view"))
    assert (row.case_id, row.object_id) == (case.id, receipt.number)


def test_another_cases_paper_is_not_found(login_as, db):
    receipt = papers(intake_case(), PaperKind.RECEIPT)[0]
    other = create_case()
    response = login_as(officer(Role.INTAKE_OFFICER)).get(f"/ho-so/{other.code}/giay-to/{receipt.id}.pdf")
    assert response.status_code == 404


def test_a_report_reader_may_not_download_a_paper(login_as, db):
    case = intake_case()
    receipt = papers(case, PaperKind.RECEIPT)[0]
    response = login_as(officer(Role.REPORT_READER)).get(f"/ho-so/{case.code}/giay-to/{receipt.id}.pdf")
    assert response.status_code == 403


# --- the request to complete the dossier, and its return -----------------------------------------


def test_requesting_completion_lists_what_is_missing_on_the_paper(login_as, db):
    case = intake_case()
    response = login_as(officer(Role.INTAKE_OFFICER)).post(
        f"/ho-so/{case.code}/yeu-cau-bo-sung",
        data={"missing": ["residence_history", "other"], "other": "Bản sao giấy khai sinh", "note": ""},
    )
    assert response.status_code == 303
    _db.session.refresh(case)
    assert case.stage is CaseStage.INCOMPLETE
    paper = papers(case, PaperKind.COMPLETION_REQUEST)[0]
    missing = ["Bổ sung đầy đủ quá trình cư trú từ khi đủ 14 tuổi đến nay", "Bản sao giấy khai sinh"]
    assert paper.content == {"reason": "; ".join(missing), "missing": missing}
    assert case.events[-1].data["missing"] == missing


def test_the_flash_after_a_completion_request_links_to_its_paper(login_as, db):
    case = intake_case()
    client = login_as(officer(Role.INTAKE_OFFICER))
    client.post(f"/ho-so/{case.code}/yeu-cau-bo-sung", data={"missing": ["id_scan"], "note": "Ảnh bị mờ"})
    paper = papers(case, PaperKind.COMPLETION_REQUEST)[0]
    assert paper.content["reason"] == "Ảnh bị mờ"
    body = page(client, case)
    assert f'<a href="/ho-so/{case.code}/giay-to/{paper.id}.pdf">Tải phiếu yêu cầu bổ sung' in body


def test_a_completion_request_without_any_item_is_refused(login_as, db):
    case = intake_case()
    response = login_as(officer(Role.INTAKE_OFFICER)).post(
        f"/ho-so/{case.code}/yeu-cau-bo-sung", data={"note": "Thiếu"}
    )
    assert response.status_code == 422
    assert "Chọn ít nhất một nội dung cần bổ sung." in response.get_data(as_text=True)
    _db.session.refresh(case)
    assert case.stage is CaseStage.RECEIVED
    assert papers(case, PaperKind.COMPLETION_REQUEST) == []


def test_other_ticked_without_its_text_is_refused_and_the_ticks_are_kept(login_as, db):
    case = intake_case()
    response = login_as(officer(Role.INTAKE_OFFICER)).post(
        f"/ho-so/{case.code}/yeu-cau-bo-sung", data={"missing": ["authorisation", "other"]}
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="f-other-error" aria-live="polite">Vui lòng ghi rõ' in body
    assert 'value="authorisation" checked' in body


def test_the_completed_dossier_restarts_the_count_and_gets_a_new_receipt(db):
    received_at = clock.now() - timedelta(days=20)
    case = intake_case(at=received_at)
    first_due = case.due_date
    actor = intake_actor()
    services.request_completion(case, missing=["fee_proof"], note="", actor=actor)
    assert case.due_date is None
    completed_at = clock.now()
    case_services.transition(case, "complete_dossier", actor=actor, at=completed_at)
    calendar = working_calendar()
    days = case.legal_profile.standard_days
    assert case.due_date == calendar.add_working_days(clock.local_date(completed_at), days)
    assert case.due_date > first_due
    receipts = papers(case, PaperKind.RECEIPT)
    assert len(receipts) == 2
    assert receipts[-1].content["appointment_date"] == case.due_date.isoformat()


# --- refusal -------------------------------------------------------------------------------------


def test_refusing_makes_the_refusal_paper_with_its_reason(login_as, db):
    case = intake_case()
    reason = "Người yêu cầu không phải là người được cấp Phiếu số 2"
    client = login_as(officer(Role.INTAKE_OFFICER))
    response = client.post(
        f"/ho-so/{case.code}/thao-tac/refuse", data={"ground": "wrong_requester", "note": reason}
    )
    assert response.status_code == 303
    (paper,) = papers(case, PaperKind.REFUSAL)
    assert paper.content == {"reason": reason, "ground": "wrong_requester"}
    assert "Phiếu từ chối tiếp nhận, giải quyết hồ sơ" in page(client, case)
