"""The demo's verification work: the questions of cases past verification answered by the units' verifiers,
and for the cases still in verification, open, claimed, answered, returned and overdue tasks on the board
of every kind of unit.
"""

from datetime import timedelta

import sqlalchemy as sa

from lltp.accounts.models import Role, UnitKind, User
from lltp.cases.models import CaseStage
from lltp.core import clock
from lltp.core.audit import Actor
from lltp.extensions import db
from lltp.verification import services
from lltp.verification.models import UNRESOLVED, AnswerOutcome, TaskKind, TaskStatus

# The question a processing officer adds by hand to each kind of unit, with the reason they give.
MANUAL_QUESTIONS = {
    UnitKind.COURT: (
        TaskKind.JUDGMENT_OUTCOME,
        "Đương sự khai có bản án cũ của Tòa án, cần xác minh kết quả.",
    ),
    UnitKind.PROCURACY: (TaskKind.JUDGMENT_OUTCOME, "Cần xác minh kết quả vụ án đã bị khởi tố."),
    UnitKind.JUDGMENT_ENFORCEMENT: (
        TaskKind.ENFORCEMENT_STATUS,
        "Cần xác minh việc nộp án phí và bồi thường theo bản án.",
    ),
    UnitKind.COMMUNE_COMMITTEE: (
        TaskKind.EXPUNGEMENT_CONDITIONS,
        "Cần UBND nơi cư trú xác nhận thời gian cư trú và việc chấp hành pháp luật.",
    ),
    UnitKind.POPULATION_REGISTER: (
        TaskKind.IDENTITY_MISMATCH,
        "Ngày sinh trên tờ khai khác với thông tin trong cơ sở dữ liệu lý lịch tư pháp.",
    ),
    UnitKind.PROVINCIAL_POLICE: (TaskKind.POLICE_LOOKUP, "Tra cứu bổ sung tàng thư trước năm 2010."),
}
OLDEST_ASKING_EVERYONE = 3
NOTHING_FOUND = "Đã tra cứu, không có thông tin về án tích của người này."


def _verifier(unit):
    """The unit's first verifier (every demo unit has one)."""
    return db.session.scalar(
        sa.select(User)
        .where(User.unit_id == unit.id, User.role_rows.any(role=Role.VERIFIER))
        .order_by(User.id)
    )


def answer_all(demo, case, *, at):
    """Answer every question of a case by its unit's verifier at `at`; True when that moved the case on."""
    tasks = [task for task in services.case_tasks(case) if task.status in UNRESOLVED]
    for task in tasks:
        actor = Actor(user=_verifier(task.unit))
        services.claim_task(task, actor=actor, at=at - timedelta(minutes=demo.rng.randint(30, 240)))
        services.answer_task(
            task, outcome=AnswerOutcome.NOTHING_FOUND, note=NOTHING_FOUND, actor=actor, at=at
        )
    return bool(tasks) and case.stage is CaseStage.DRAFTING


def load_tasks(demo):
    """For the cases in verification: a question by hand to each kind of unit, then some of the tasks
    claimed, some answered, one sent back for clarification, and the late ones escalated."""
    rng, now = demo.rng, demo.now
    officer = Actor(user=demo.users["xuly"])

    def started(case):
        return next(e.at for e in reversed(case.events) if e.action == "start_verification")

    verifying = sorted((c for c in demo.cases if c.stage is CaseStage.VERIFYING), key=started)
    by_kind = {kind: [u for u in demo.units.values() if u.kind is kind] for kind in MANUAL_QUESTIONS}
    kinds = list(MANUAL_QUESTIONS)
    for position, case in enumerate(verifying):
        # The longest-waiting cases were sent to every kind of unit, and are overdue everywhere.
        asked = kinds if position < OLDEST_ASKING_EVERYONE else [kinds[position % len(kinds)]]
        for unit_kind in asked:
            kind, reason = MANUAL_QUESTIONS[unit_kind]
            unit = rng.choice(by_kind[unit_kind])
            at = started(case) + timedelta(minutes=20)
            services.add_task(case, unit=unit, kind=kind, reason=reason, actor=officer, at=at)
    today = clock.local_date(now)
    for position, case in enumerate(verifying):
        tasks = [task for task in services.case_tasks(case) if task.status in UNRESOLVED]
        # Some tasks stay unanswered (one at least), so the case stays in verification as planned.
        waiting = {rng.choice(tasks)} if position >= OLDEST_ASKING_EVERYONE else set(tasks[1:])
        for task in tasks:
            _work_on(rng, task, now, answer=task not in waiting and rng.random() < 0.7)
        for task in tasks:
            if task.status in (TaskStatus.OPEN, TaskStatus.CLAIMED) and task.due_date <= today:
                services.escalate_task(task, at=now)


def _work_on(rng, task, now, *, answer):
    """Claim (and perhaps answer, or send back) a task some time after it was opened."""
    roll = rng.random()
    if roll < 0.3 and not answer:
        return
    actor = Actor(user=_verifier(task.unit))
    claimed_at = min(task.created_at + timedelta(hours=rng.randint(2, 30)), now - timedelta(minutes=30))
    services.claim_task(task, actor=actor, at=claimed_at)
    if answer:
        outcome = AnswerOutcome.NOTHING_FOUND if rng.random() < 0.8 else AnswerOutcome.CANNOT_DETERMINE
        note = (
            NOTHING_FOUND
            if outcome is AnswerOutcome.NOTHING_FOUND
            else "Hồ sơ lưu trữ chưa số hóa, đang tra cứu tàng thư giấy."
        )
        services.answer_task(
            task, outcome=outcome, note=note, actor=actor, at=claimed_at + timedelta(minutes=40)
        )
    elif roll > 0.9:
        services.return_for_clarification(
            task, message="Đề nghị bổ sung tên cha, mẹ để tra cứu chính xác.", actor=actor, at=claimed_at
        )
