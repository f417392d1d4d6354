"""Routing: which questions a case needs, and which unit each goes to, from the rules table.

`plan(case)` reads the facts (the case's legal profile, the record database's content for the matched
person, the declared identity) and applies every active rule in order. Two rules asking the same kind of
question of the same unit about the same thing become one task with both questions (the police's lookup
for a VNeID case and for an old record, say). A question whose unit cannot be found on the system is
returned as unrouted, so the processing officer sends it by hand.
"""

import re
from dataclasses import dataclass, field

import sqlalchemy as sa

from lltp.accounts.models import Unit, UnitKind
from lltp.core.text import fold
from lltp.extensions import db
from lltp.intake.models import Declaration
from lltp.records import casework
from lltp.records.models import Judgment, PersonIdNumber
from lltp.records.queries import cluster_ids, surviving
from lltp.verification import questions
from lltp.verification.models import RoutingCondition, RoutingRule, RoutingTarget, TaskKind

# Which of the content's verification needs each condition acts on.
NEED_CODES = {
    RoutingCondition.RECORD_BEFORE_2010: "old_record",
    RoutingCondition.MISSING_OUTCOME: "missing_outcome",
    RoutingCondition.MISSING_ENFORCEMENT: "missing_enforcement",
    RoutingCondition.OPEN_PROSECUTION: "open_prosecution",
    RoutingCondition.EXPUNGEMENT_CONDITIONS: "automatic_expungement",
}
# A target that is one unit of a kind (the first active one, unless the rule names a unit).
TARGET_KINDS = {
    RoutingTarget.PROVINCIAL_POLICE: UnitKind.PROVINCIAL_POLICE,
    RoutingTarget.PROCURACY: UnitKind.PROCURACY,
    RoutingTarget.JUDGMENT_ENFORCEMENT: UnitKind.JUDGMENT_ENFORCEMENT,
    RoutingTarget.POPULATION_REGISTER: UnitKind.POPULATION_REGISTER,
    RoutingTarget.SENTENCING_COURT: UnitKind.COURT,
    RoutingTarget.RESIDENCE_COMMUNE: UnitKind.COMMUNE_COMMITTEE,
}
# "Ủy ban nhân dân phường Bến Thành" and "UBND phường Bến Thành" both name the commune "phường Bến Thành".
_COMMITTEE_PREFIX = re.compile(r"^(uy ban nhan dan|ubnd)\s+")
# One question per kind, unit and subject: the kinds about one judgment, the others about the whole case.
PER_JUDGMENT = frozenset(
    {TaskKind.JUDGMENT_OUTCOME, TaskKind.ENFORCEMENT_STATUS, TaskKind.EXPUNGEMENT_CONDITIONS}
)


@dataclass
class PlannedTask:
    kind: TaskKind
    unit: Unit | None
    routing_key: str
    rules: list = field(default_factory=list)
    question: dict = field(default_factory=dict)
    reasons: list = field(default_factory=list)

    @property
    def reason(self):
        return "; ".join(dict.fromkeys(self.reasons))


@dataclass(frozen=True)
class Facts:
    """What the rules look at for one case."""

    case: object
    identity: dict
    needs: tuple
    differences: dict
    judgments: dict  # id -> Judgment, for the needs


def facts_of(case):
    """The facts of `case` that routing acts on."""
    declaration = db.session.scalar(sa.select(Declaration).where(Declaration.case_id == case.id))
    identity = questions.applicant_identity(case, declaration)
    composed = casework.case_content(case)
    needs = composed.verification_needs if composed is not None else ()
    match = casework.current_match(case)
    differences = {}
    if match is not None and match.person_id is not None:
        person = surviving(match.person)
        numbers = set(
            db.session.scalars(
                sa.select(PersonIdNumber.number).where(PersonIdNumber.person_id.in_(cluster_ids(person)))
            )
        )
        differences = questions.person_differences(identity, person, numbers)
    ids = {need.judgment_id for need in needs if need.judgment_id is not None}
    judgments = (
        {j.id: j for j in db.session.scalars(sa.select(Judgment).where(Judgment.id.in_(ids)))} if ids else {}
    )
    return Facts(case, identity, needs, differences, judgments)


def active_rules():
    return db.session.scalars(
        sa.select(RoutingRule)
        .where(RoutingRule.is_active.is_(True))
        .order_by(RoutingRule.position, RoutingRule.id)
    ).all()


def plan(case, *, facts=None, rules=None):
    """The tasks the rules ask for `case`, merged by kind, unit and subject, in rule order."""
    facts = facts or facts_of(case)
    planned = {}
    for rule in active_rules() if rules is None else rules:
        for subject, question, reason, hint in _asks(rule, facts):
            unit = target_unit(rule, hint)
            key = f"{rule.kind}:{unit.id if unit else 'none'}:{subject}"
            if key in planned:
                entry = planned[key]
                entry.question = questions.merge(entry.question, question)
            else:
                entry = planned[key] = PlannedTask(TaskKind(rule.kind), unit, key, question=question)
            entry.rules.append(rule)
            entry.reasons.append(reason)
    return list(planned.values())


def _asks(rule, facts):
    """(subject, question, reason, hint) for each thing `rule` asks about the case: nothing when its
    condition does not hold. The hint is what finds the unit (the judgment's court, the residence)."""
    condition = RoutingCondition(rule.condition)
    identity = facts.identity
    if condition is RoutingCondition.EVERY_CASE_IN_PROFILES:
        profile = facts.case.legal_profile
        if profile is not None and profile.code in (rule.profile_codes or ()):
            yield "case", questions.build(rule.kind, identity), rule.name, None
        return
    if condition is RoutingCondition.IDENTITY_CONFLICT:
        if facts.differences:
            question = questions.build(rule.kind, identity, differences=facts.differences)
            yield "case", question, rule.name, None
        return
    for need in facts.needs:
        if need.code != NEED_CODES[condition]:
            continue
        judgment = facts.judgments.get(need.judgment_id)
        judgments = [questions.judgment_facts(judgment)] if judgment is not None else []
        period = (need.period_from, need.period_to) if need.period_to else None
        question = questions.build(
            rule.kind, identity, judgments=judgments, asked=need.missing, period=period
        )
        subject = f"judgment-{need.judgment_id}" if rule.kind in PER_JUDGMENT else "case"
        hint = identity.get("residence") if rule.target == RoutingTarget.RESIDENCE_COMMUNE else need.court
        yield subject, question, need.text, hint


def target_unit(rule, hint=None):
    """The unit a rule's question goes to, or None when none on the system fits."""
    target = RoutingTarget(rule.target)
    if target is RoutingTarget.FIXED_UNIT:
        return rule.target_unit if rule.target_unit is not None and rule.target_unit.is_active else None
    kind = TARGET_KINDS[target]
    if target in (RoutingTarget.SENTENCING_COURT, RoutingTarget.RESIDENCE_COMMUNE):
        found = unit_named_in(kind, hint)
        return found or (
            rule.target_unit if rule.target_unit is not None and rule.target_unit.is_active else None
        )
    if rule.target_unit is not None and rule.target_unit.is_active:
        return rule.target_unit
    return db.session.scalar(
        sa.select(Unit).where(Unit.kind == kind, Unit.is_active.is_(True)).order_by(Unit.id).limit(1)
    )


def place_name(unit):
    """What a unit's name says about where it is: a committee's commune, or the court's own name."""
    return _COMMITTEE_PREFIX.sub("", fold(unit.name))


def unit_named_in(kind, text):
    """The active unit of `kind` whose place the text names; the longest name wins ("phường 10" over
    "phường 1"). A court is found by its name, as the judgment gives it."""
    if not text:
        return None
    folded = f" {' '.join(re.split(r'[^0-9a-z]+', fold(text)))} "
    best = None
    for unit in db.session.scalars(sa.select(Unit).where(Unit.kind == kind, Unit.is_active.is_(True))):
        name = " ".join(re.split(r"[^0-9a-z]+", place_name(unit))).strip()
        if name and f" {name} " in folded and (best is None or len(name) > len(best[0])):
            best = (name, unit)
    return best[1] if best else None
