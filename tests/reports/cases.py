"""A known quarter of cases for the report tests: Q1 2025, across Tết (27–31/01/2025 off) and 01/01.

Each case is built through the real workflow, with its events at the given local times. The expected
figures are worked out by hand in the comments, from the calendar (10 working days under the 2009 law for
the counter, 3 under the VNeID pilot).
"""

from dataclasses import dataclass
from datetime import date

from flask import current_app

from lltp.accounts.models import Role, UnitKind
from lltp.cases import services as case_services
from lltp.cases.models import CaseStage, Channel
from lltp.core.audit import Actor
from lltp.extensions import db
from lltp.intake import services as intake_services
from lltp.intake.models import Declaration, FeeCategory, PaperKind, Payment, PaymentMethod
from lltp.issuance import decisions
from lltp.issuance.models import DecisionKind
from lltp.verification import services as verification_services
from lltp.verification.models import TaskKind
from tests.factories import case_fields, create_case, create_unit, create_user, local_datetime, officer

Q1_FROM, Q1_TO = date(2025, 1, 1), date(2025, 3, 31)
RETURN_PATH = ("start_review", "start_drafting", "submit_for_signature", "approve")


@dataclass
class Quarter:
    cases: dict
    police: object


def _actor():
    return Actor(user=officer(), ip="127.0.0.1")


def received(at, *, channel=Channel.COUNTER, actor, **fields):
    return case_services.open_case(case_fields(**fields), channel=channel, actor=actor, at=at)


def returned(received_at, returned_at, *, actor, steps=(), **fields):
    """A case received at `received_at`, taken through `steps` [(action, at, note)], issued and returned."""
    case = received(received_at, actor=actor, **fields)
    for action, at, note in steps:
        case_services.transition(case, action, actor=actor, at=at, note=note)
    worked_at = max([received_at, *(at for _action, at, _note in steps)])
    for action in RETURN_PATH:
        case_services.transition(case, action, actor=actor, at=worked_at)
    case_services.transition(case, "record_return", actor=actor, at=returned_at)
    return case


def declare(case, category, amount, *, subsidy=0, paid_on=None):
    db.session.add(
        Declaration(
            case=case,
            fee_category=category,
            fee_amount=amount,
            fee_breakdown={"subsidy_amount": subsidy, "amount": amount},
        )
    )
    if paid_on is not None:
        db.session.add(
            Payment(
                case_id=case.id,
                method=PaymentMethod.CASH,
                amount=amount,
                paid_on=paid_on,
                recorded_by_label="test",
            )
        )


def build_quarter():
    """The cases of the quarter, by name. What each one adds to the figures is in its comment."""
    actor = _actor()
    t = local_datetime
    c = {}
    # Received 30/12/2024, returned 06/01: a return of the quarter, not a receipt. 4 working days (31/12,
    # 02/01, 03/01, 06/01; 01/01 is a holiday), 7 calendar days. Its fee was paid before the quarter.
    c["before"] = returned(t(2024, 12, 30, 9), t(2025, 1, 6, 10), actor=actor)
    declare(c["before"], FeeCategory.STANDARD, 200_000, paid_on=date(2024, 12, 30))
    # Received 28/03, returned 03/04: a receipt, not a return.
    c["after"] = returned(t(2025, 3, 28, 9), t(2025, 4, 3, 10), actor=actor)
    declare(c["after"], FeeCategory.STANDARD, 200_000, paid_on=date(2025, 3, 28))
    # 23:30 on 31/12/2024 local (16:30 UTC): not in the quarter. Still open, overdue (due 15/01/2025).
    c["new_year_eve"] = received(t(2024, 12, 31, 23, 30), actor=actor)
    # 00:30 on 01/01/2025 local (17:30 UTC the day before): in the quarter. VNeID, 3 working days: due
    # 06/01, returned 06/01, on time; 3 working days, 5 calendar days. The province paid its fee.
    c["new_year"] = returned(t(2025, 1, 1, 0, 30), t(2025, 1, 6, 16), actor=actor, channel=Channel.VNEID)
    declare(c["new_year"], FeeCategory.STANDARD, 0, subsidy=200_000)
    # Across Tết: received 20/01, due 10/02 and returned then: on time; 10 working days, 21 calendar days.
    c["tet"] = returned(t(2025, 1, 20, 9), t(2025, 2, 10, 15), actor=actor)
    declare(c["tet"], FeeCategory.STANDARD, 200_000, paid_on=date(2025, 1, 20))
    # VNeID received 03/03, due 06/03, returned 10/03: 2 working days late (07/03, 10/03); 5 working days,
    # 7 calendar days.
    c["late"] = returned(t(2025, 3, 3, 9), t(2025, 3, 10, 9), actor=actor, channel=Channel.VNEID)
    # Phiếu số 2, received 10/02, due 24/02; an apology moved the date to 26/02, and it was returned on
    # 26/02: late by 2 working days all the same, and the new date kept. 12 working days, 16 calendar.
    c["apology"] = returned(t(2025, 2, 10, 9), t(2025, 2, 26, 9), actor=actor, certificate_type=2)
    intake_services.issue_paper(
        c["apology"],
        PaperKind.APOLOGY,
        {"reason": "Chờ xác minh", "previous_date": date(2025, 2, 24), "new_date": date(2025, 2, 26)},
        actor=actor,
        at=t(2025, 2, 20, 9),
    )
    # Refused 07/02, withdrawn 12/03: receipts, counted apart, not returns. The refused one was exempt.
    c["refused"] = received(t(2025, 2, 5, 9), actor=actor)
    case_services.transition(
        c["refused"],
        "refuse",
        actor=actor,
        at=t(2025, 2, 7, 9),
        note="Giả mạo",
        data={"ground": "forged_papers"},
    )
    declare(c["refused"], FeeCategory.EXEMPT, 0)
    c["withdrawn"] = received(t(2025, 3, 10, 9), actor=actor)
    case_services.transition(c["withdrawn"], "withdraw", actor=actor, at=t(2025, 3, 12, 9), note="Rút")
    # Sent back as incomplete on 07/01, completed 13/01: the count restarts, due 03/02, returned 03/02:
    # on time (from 06/01 it would have been due 21/01). From receipt: 15 working days, 28 calendar days.
    c["incomplete"] = returned(
        t(2025, 1, 6, 9),
        t(2025, 2, 3, 9),
        actor=actor,
        steps=[
            ("request_completion", t(2025, 1, 7, 9), "Thiếu giấy tờ"),
            ("complete_dossier", t(2025, 1, 13, 9), None),
        ],
    )
    # Long (15 working days) from 04/02: due 24/02, returned 21/02: on time (standard would be 17/02).
    # Phiếu số 2; 14 working days, 18 calendar days.
    c["long"] = returned(
        t(2025, 2, 3, 9),
        t(2025, 2, 21, 9),
        actor=actor,
        certificate_type=2,
        steps=[("mark_long", t(2025, 2, 4, 9), "Cư trú nhiều tỉnh")],
    )
    # Phiếu số 2 received 14/01, certificate issued 16/01, returned 17/01: 3 working and calendar days.
    # On 05/03 a decision corrected it and a new certificate replaced it.
    c["corrected"] = returned(t(2025, 1, 14, 9), t(2025, 1, 17, 9), actor=actor, certificate_type=2)
    _correct(c["corrected"], issued=t(2025, 1, 16, 9), corrected=t(2025, 3, 5, 9))
    # Received 25/03 and sent to the police, who have not answered: open, verifying, overdue (due 08/04).
    police = create_unit(UnitKind.PROVINCIAL_POLICE, name="Công an tỉnh (báo cáo)")
    c["verifying"] = create_case(CaseStage.VERIFYING, at=t(2025, 3, 25, 9), actor=actor)
    verification_services.add_task(
        c["verifying"],
        unit=police,
        kind=TaskKind.POLICE_LOOKUP,
        reason="Tra cứu",
        actor=Actor(user=create_user(roles=(Role.PROCESSING_OFFICER,)), ip="127.0.0.1"),
        at=t(2025, 3, 25, 10),
    )
    # Submitted online 15/03, not paid: open, awaiting payment, never received, never due.
    c["unpaid"] = case_services.open_case(
        case_fields(), channel=Channel.ONLINE, actor=actor, awaiting_payment=True, at=t(2025, 3, 15, 9)
    )
    db.session.flush()
    return Quarter(c, police)


def _correct(case, *, issued, corrected):
    from tests.issuance.certificate_rows import create_certificate

    first = create_certificate(case)
    replacement = create_certificate(case)
    first.issued_at, first.issued_on = issued, issued.date()
    replacement.issued_at, replacement.issued_on = corrected, corrected.date()
    approver = Actor(user=create_user(roles=(Role.APPROVER,)), ip="127.0.0.1")
    decisions.record_decision(
        first,
        kind=DecisionKind.CORRECT,
        number=f"{current_app.config['LLTP_AUTHORITY_CODE']}/QĐ-ĐC/01",
        decided_on=corrected.date(),
        reason="Sai ngày sinh",
        actor=approver,
        replacement=replacement,
    )
