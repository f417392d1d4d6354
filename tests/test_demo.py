"""`flask demo load` and `flask demo logins`, on a database of their own, loaded once for the module."""

import random

import pytest
import sqlalchemy as sa

from lltp import demo
from lltp.accounts.models import Role, Unit, UnitKind, User
from lltp.cases.deadlines import deadline_status
from lltp.cases.models import CLOSED_STAGES, Case, CaseStage, Channel, Sex
from lltp.cases.workflow import replay
from lltp.core import clock, database
from lltp.core.calendar import working_calendar
from lltp.delivery.models import CaseReturn, Collector, Handover, ReturnReason
from lltp.delivery.queries import TAB_STATUSES, BoardFilters, tab_counts
from lltp.extensions import db
from lltp.intake.models import Attachment, FeeCategory, OneStopPaper, PaperKind, Payment, PaymentMethod
from lltp.intake.services import payments_of
from lltp.issuance.decisions import decisions_of
from lltp.issuance.models import Certificate, CertificateStatus, DecisionKind
from lltp.issuance.queries import certificate_of
from lltp.issuance.signing import verify_pdf
from lltp.records import content
from lltp.records.models import Judgment, Person
from lltp.verification.models import AWAITING_UNIT, TaskStatus, VerificationTask
from lltp.verification.services import case_tasks
from tests.conftest import create_database, migrated_app


@pytest.fixture(scope="module")
def loaded():
    """An app on a fresh migrated database into which `flask demo load` ran, and what the command said."""
    url, drop = create_database()
    app = migrated_app(url)
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    yield app, result
    database.dispose(app)
    drop()


@pytest.fixture
def demo_app(loaded):
    app, _result = loaded
    # A request context, because gettext (in the deadline labels) picks the locale from the session.
    with app.test_request_context():
        yield app
        db.session.remove()


def row_counts():
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def all_cases():
    return db.session.scalars(sa.select(Case).order_by(Case.id)).all()


def test_load_reports_what_it_made(loaded):
    _app, result = loaded
    assert result.exit_code == 0, result.output
    assert "12 đơn vị" in result.output
    assert "300 hồ sơ" in result.output


def test_the_province_has_a_dozen_units_of_every_kind(demo_app):
    units = db.session.scalars(sa.select(Unit)).all()
    assert len(units) == 12
    assert {unit.kind for unit in units} == set(UnitKind)


def test_the_issuing_authority_is_named_from_configuration(demo_app):
    unit = db.session.scalar(sa.select(Unit).where(Unit.kind == UnitKind.ISSUING_AUTHORITY))
    assert unit.agency.name == demo_app.config["LLTP_AUTHORITY_NAME"]


def test_commune_committees_carry_five_digit_unit_codes(demo_app):
    codes = db.session.scalars(
        sa.select(Unit.admin_unit_code).where(Unit.kind == UnitKind.COMMUNE_COMMITTEE)
    ).all()
    assert len(codes) >= 3
    assert all(code.isdigit() and len(code) == 5 for code in codes)


def test_there_is_a_user_for_every_role(demo_app):
    users = db.session.scalars(sa.select(User)).all()
    assert set().union(*(user.roles for user in users)) == set(Role)


def test_every_verifying_unit_has_a_verifier(demo_app):
    verifying_kinds = set(UnitKind) - {UnitKind.ISSUING_AUTHORITY, UnitKind.POSTAL_OPERATOR}
    units = db.session.scalars(sa.select(Unit).where(Unit.kind.in_(verifying_kinds))).all()
    assert all(any(Role.VERIFIER in user.roles for user in unit.users) for unit in units)


def test_there_are_300_cases_covering_every_stage_and_channel(demo_app):
    cases = all_cases()
    assert len(cases) == demo.CASE_COUNT == 300
    assert {case.stage for case in cases} == set(CaseStage)
    assert {case.channel for case in cases} == set(Channel)


def test_some_open_cases_are_at_risk_and_some_overdue_today(demo_app):
    calendar = working_calendar()
    statuses = [deadline_status(case, calendar=calendar) for case in all_cases()]
    assert sum(status.is_at_risk for status in statuses) >= 5
    assert sum(status.is_overdue for status in statuses) >= 5
    assert sum(status.tone == "ok" for status in statuses) >= 5


def test_every_case_replays_to_its_stage(demo_app):
    for case in all_cases():
        assert replay(case.events) is case.stage, case.code


def test_events_happen_in_order_in_the_past_by_officers_allowed_to_take_them(demo_app):
    now = clock.now()
    for case in all_cases():
        moments = [event.at for event in case.events]
        assert moments == sorted(moments) and moments[-1] < now, case.code
        # Only the last answer of a verification, and the last return (the client's acknowledgement, the
        # notice sent or the post's delivery), move a case on by themselves.
        assert all(
            event.actor.is_authority_officer
            if event.actor is not None
            else (event.action, event.actor_label)
            in {
                ("finish_verification", "verification"),
                ("record_return", "worker"),
                ("record_return", "api:vnpost"),
            }
            for event in case.events
        ), case.code


def test_the_data_shows_the_variety_of_real_work(demo_app):
    cases = all_cases()
    actions = {event.action for case in cases for event in case.events}
    assert {"complete_dossier", "mark_long", "return_draft", "finish_verification"} <= actions
    assert any(case.is_urgent for case in cases)
    assert {case.certificate_type for case in cases} == {1, 2}
    assert sum(case.certificate_type == 1 for case in cases) > len(cases) / 2


def test_id_numbers_agree_with_sex_and_year_of_birth(demo_app):
    cases = all_cases()
    # Every applicant has an ID number of their own; the one who asked twice (for the correction) has one.
    people = {
        case.applicant_id_number: (case.applicant_full_name, case.applicant_date_of_birth) for case in cases
    }
    assert len(people) == len(cases) - 1
    for case in cases:
        assert people[case.applicant_id_number] == (case.applicant_full_name, case.applicant_date_of_birth)
        number, born = case.applicant_id_number, case.applicant_date_of_birth
        century_sex = (0 if born.year < 2000 else 2) + (case.applicant_sex is Sex.FEMALE)
        assert len(number) == 12 and number.isdigit()
        assert number[3:6] == f"{century_sex}{born.year % 100:02d}", case.code


def test_names_are_written_in_capitals_with_diacritics(demo_app):
    names = [case.applicant_full_name for case in all_cases()]
    assert all(name == name.upper() and len(name.split()) >= 3 for name in names)
    assert any("Ễ" in name or "Ầ" in name or "Ạ" in name for name in names)


def test_the_same_seed_plans_the_same_cases(demo_app):
    now = clock.now()
    first = demo.plan_cases(random.Random(demo.SEED), now)
    again = demo.plan_cases(random.Random(demo.SEED), now)
    assert first == again


def test_if_empty_on_a_loaded_database_changes_nothing(loaded, demo_app):
    app, _result = loaded
    before = row_counts()
    result = app.test_cli_runner().invoke(args=["demo", "load", "--if-empty"])
    db.session.remove()
    assert result.exit_code == 0, result.output
    assert "bỏ qua" in result.output
    assert row_counts() == before


def test_load_refuses_a_database_that_has_users(loaded, demo_app):
    app, _result = loaded
    before = row_counts()
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    db.session.remove()
    assert result.exit_code != 0
    assert row_counts() == before


def test_logins_lists_every_demo_user_with_the_shared_password(loaded, demo_app):
    app, _result = loaded
    result = app.test_cli_runner().invoke(args=["demo", "logins"])
    assert result.exit_code == 0, result.output
    assert demo.PASSWORD in result.output
    assert all(spec.username in result.output for spec in demo.USERS)
    assert "TOTP" in result.output


def test_logins_gives_the_demo_signers_authenticator_key(loaded, demo_app):
    app, _result = loaded
    signer = db.session.scalar(sa.select(User).where(User.username == demo.issuance_demo.SIGNER))
    result = app.test_cli_runner().invoke(args=["demo", "logins"])
    assert signer.has_two_factor
    assert signer.totp_secret in result.output


def test_logins_on_an_empty_database_says_to_load_first(isolated_db):
    app = isolated_db()
    result = app.test_cli_runner().invoke(args=["demo", "logins"])
    assert result.exit_code != 0
    assert "flask demo load" in result.output


def test_load_refuses_to_run_in_production(isolated_db):
    app = isolated_db()
    app.config["LLTP_ENV"] = "production"
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code != 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_every_case_has_its_full_request_form_with_a_residence_history(demo_app):
    cases = all_cases()
    assert all(case.declaration is not None for case in cases)
    assert all(case.declaration.residence_history for case in cases if case.channel is not Channel.AGENCY)
    assert all(case.declaration.place_of_birth and case.declaration.father for case in cases)


def test_received_cases_that_owe_a_fee_have_paid_it(demo_app):
    for case in all_cases():
        paid = sum(payment.amount for payment in payments_of(case))
        if case.received_at is not None:
            assert paid >= case.declaration.fee_amount or case.channel is Channel.AGENCY, case.code
        else:
            assert paid == 0, case.code


def test_payments_cover_cash_at_the_counter_transfers_the_post_and_the_national_systems(demo_app):
    methods = {payment.method for payment in db.session.scalars(sa.select(Payment))}
    assert methods == set(PaymentMethod)


def test_dossiers_typed_in_by_officers_carry_scans_and_receipts(demo_app):
    cases = [case for case in all_cases() if case.channel in (Channel.COUNTER, Channel.POST, Channel.AGENCY)]
    with_scans = {a.case_id for a in db.session.scalars(sa.select(Attachment))}
    assert all(case.id in with_scans for case in cases)
    receipts = {
        p.case_id for p in db.session.scalars(sa.select(OneStopPaper).where(OneStopPaper.kind == "receipt"))
    }
    assert all(case.id in receipts for case in all_cases() if case.received_at is not None)


def test_some_requests_claim_a_reduced_or_exempt_fee(demo_app):
    categories = {case.declaration.fee_category for case in all_cases()}
    assert categories == set(FeeCategory)


def test_the_record_database_holds_a_few_thousand_people(demo_app):
    people = db.session.scalar(sa.select(sa.func.count()).select_from(Person))
    assert people >= 3000


def test_every_vneid_applicant_in_the_record_database_has_look_alikes(demo_app):
    vneid = [case for case in all_cases() if case.channel is Channel.VNEID]
    matched = 0
    for case in vneid:
        same_surname_and_year = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Person)
            .where(
                Person.name_folded.like(case.applicant_name_folded.split()[0] + " %"),
                Person.birth_year == case.applicant_date_of_birth.year,
            )
        )
        exact = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Person)
            .where(
                Person.full_name == case.applicant_full_name,
                Person.date_of_birth == case.applicant_date_of_birth,
            )
        )
        if exact:
            matched += 1
            assert same_surname_and_year >= 4, case.code
    assert matched >= 3


def test_the_convictions_cover_every_state_the_engine_decides(demo_app):
    today = clock.today()
    person_ids = db.session.scalars(sa.select(Judgment.person_id).distinct()).all()
    decisions = [
        decision
        for person_id in person_ids
        for decision in content.compose(db.session.get(Person, person_id), 2, as_of=today).all_decisions
    ]
    assert any(d.in_force for d in decisions)
    assert any(d.never_a_record for d in decisions)
    assert any(d.expunged_on and "Điều 70" in d.basis for d in decisions)
    bases = {d.basis for d in decisions}
    assert "đại xá" in bases and "Điều 71 BLHS 2015" in bases
    explanations = " ".join(line for d in decisions for line in d.explanation)
    assert "Điều 73 khoản 2" in explanations  # a new offence or a pending prosecution
    assert "chưa nộp án phí" in explanations  # an unpaid court fee blocks expungement


def test_every_kind_of_verifying_unit_has_open_answered_and_overdue_tasks(demo_app):
    tasks = db.session.scalars(sa.select(VerificationTask)).all()
    today = clock.today()
    for kind in (
        UnitKind.PROVINCIAL_POLICE,
        UnitKind.COURT,
        UnitKind.PROCURACY,
        UnitKind.JUDGMENT_ENFORCEMENT,
        UnitKind.COMMUNE_COMMITTEE,
        UnitKind.POPULATION_REGISTER,
    ):
        mine = [task for task in tasks if task.unit.kind is kind]
        statuses = {task.status for task in mine}
        assert statuses & AWAITING_UNIT, kind
        assert TaskStatus.ANSWERED in statuses, kind
        assert any(task.is_unresolved and task.due_date < today for task in mine), kind


def test_every_case_in_verification_still_waits_for_an_answer(demo_app):
    for case in db.session.scalars(sa.select(Case).where(Case.stage == CaseStage.VERIFYING)):
        assert any(task.is_unresolved for task in case_tasks(case)), case.code


def test_every_case_past_approval_has_its_signed_certificate(demo_app):
    signed = [case for case in all_cases() if case.stage in (CaseStage.ISSUED, CaseStage.RETURNED)]
    assert len(signed) > 50
    for case in signed:
        certificate = certificate_of(case)
        assert certificate is not None and certificate.pdf_sha256, case.code
        approval = next(event for event in case.events if event.action == "approve")
        assert certificate.issued_at == approval.at
        assert approval.data["certificate_number"] == certificate.number


def test_certificate_numbers_follow_the_issue_dates_without_gaps(demo_app):
    certificates = db.session.scalars(
        sa.select(Certificate).order_by(Certificate.year, Certificate.serial)
    ).all()
    for year in {c.year for c in certificates}:
        of_year = [c for c in certificates if c.year == year]
        assert [c.serial for c in of_year] == list(range(1, len(of_year) + 1))
        assert [c.issued_at for c in of_year] == sorted(c.issued_at for c in of_year)


def test_a_demo_certificate_carries_both_valid_signatures(demo_app):
    certificate = db.session.scalar(sa.select(Certificate).order_by(Certificate.id).limit(1))
    report = verify_pdf(certificate.pdf)
    assert report["ok"], report


def test_one_certificate_is_corrected_by_a_later_one_of_the_same_applicant(demo_app):
    corrected = db.session.scalars(
        sa.select(Certificate).where(Certificate.status == CertificateStatus.CORRECTED)
    ).all()
    assert len(corrected) == 1
    old, new = corrected[0], corrected[0].replaced_by
    assert new.status is CertificateStatus.VALID and new.issued_at > old.issued_at
    assert new.case.applicant_id_number == old.case.applicant_id_number
    assert [d.kind for d in decisions_of(old)] == [DecisionKind.CORRECT]


def test_one_certificate_is_revoked_with_its_decision(demo_app):
    revoked = db.session.scalars(
        sa.select(Certificate).where(Certificate.status == CertificateStatus.REVOKED)
    ).all()
    assert len(revoked) == 1
    assert revoked[0].replaced_by is None
    (decision,) = decisions_of(revoked[0])
    assert decision.kind is DecisionKind.REVOKE and decision.pdf_sha256


def test_returned_cases_went_back_by_every_path(demo_app):
    reasons = {r.done_reason for r in db.session.scalars(sa.select(CaseReturn))}
    assert reasons >= {
        ReturnReason.CALLBACK_ACKNOWLEDGED,
        ReturnReason.APPLICANT_NOTIFIED,
        ReturnReason.COLLECTED,
        ReturnReason.DELIVERED,
    }
    collectors = {h.collected_by for h in db.session.scalars(sa.select(Handover))}
    assert collectors == {Collector.APPLICANT, Collector.PROXY}


def test_every_tab_of_the_post_board_has_cases(demo_app):
    counts = tab_counts(BoardFilters())
    assert set(counts) == set(TAB_STATUSES)
    assert all(counts.values()), counts


def test_every_returned_case_has_done_all_it_owed(demo_app):
    for case in all_cases():
        if case.stage is CaseStage.RETURNED:
            owed = db.session.scalars(sa.select(CaseReturn).where(CaseReturn.case_id == case.id)).all()
            assert owed and all(r.done_at for r in owed), case.code


def test_two_cases_at_risk_carry_the_apology_with_a_new_date(demo_app):
    apologies = db.session.scalars(
        sa.select(OneStopPaper).where(OneStopPaper.kind == PaperKind.APOLOGY)
    ).all()
    assert len(apologies) == 2
    for paper in apologies:
        assert paper.content["new_date"] > paper.content["previous_date"]
        assert db.session.get(Case, paper.case_id).stage not in CLOSED_STAGES
