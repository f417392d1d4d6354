"""What a certificate says: Phiếu số 1 or Phiếu số 2 for one person of the record database, on one date.

`compose()` reads the person's whole record (everyone merged into them) as it stood on `as_of`, asks the
expungement engine about each judgment, applies the officer's overrides, and lays out what that type of
certificate prints (domain §2, §9.5): the identity block, the conviction status, the convictions shown
and the bans. It also says why the answer needs verification before anyone signs it (domain §8).

What it writes is the certificate's own wording, so it is Vietnamese in every locale, like the engine's
explanations. Choices where the contract leaves one:
- A ban is in force from its `starts_on` to its `ends_on`, both days included (no `ends_on`: for good).
- The ID number printed is the person's CCCD when there is one, otherwise the first one recorded.
- Missing enforcement data needs verification only when the answer depends on it: had everything still
  missing been carried out as early as the sentence allows (and open prosecutions been dropped), the
  conviction would no longer be in force.
"""

from dataclasses import dataclass, replace
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from lltp.core.text import format_date, format_number
from lltp.extensions import db
from lltp.records import expungement
from lltp.records.expungement import (
    ADDITIONAL_PENALTIES,
    add_months,
    duration,
    offence_text,
    penalty_text,
)
from lltp.records.models import Ban, DatePrecision, Person, Prosecution
from lltp.records.queries import cluster_ids, judgments_of, surviving

# The Law on Judicial Records took effect then: older records are often incomplete (domain §8).
RECORDS_LAW_IN_FORCE_ON = date(2010, 7, 1)
SEX_LABELS = {"male": "Nam", "female": "Nữ"}
NATIONALITIES = {"VN": "Việt Nam"}
EVENT_LABELS = {
    "principal_completed": "Chấp hành xong hình phạt chính",
    "probation_completed": "Hết thời gian thử thách án treo",
    "fine_paid": "Nộp xong tiền phạt",
    "additional_completed": "Chấp hành xong hình phạt bổ sung",
    "court_fee_paid": "Nộp xong án phí",
    "civil_obligation_completed": "Thực hiện xong nghĩa vụ dân sự",
    "enforcement_time_limit_expired": "Hết thời hiệu thi hành bản án",
    "general_amnesty": "Được đại xá",
    "court_expungement_decision": "Quyết định xóa án tích của Tòa án có hiệu lực",
}
# The events that complete each kind of principal penalty (as the engine counts them).
PRINCIPAL_DONE = frozenset({"principal_completed", "enforcement_time_limit_expired"})
AUTOMATIC_BASES = ("Điều 70", "Điều 107 khoản 2")
STATUS_LABELS = {"has_convictions": "Có án tích", "none": "Không có án tích"}
BAN_SECTION = "cấm đảm nhiệm chức vụ, thành lập, quản lý doanh nghiệp, hợp tác xã"


@dataclass(frozen=True)
class Conviction:
    """One judgment as the certificate shows it, with the engine's (or the officer's) conclusion.

    The fields after `explanation` are printed on Phiếu số 2 only, and left empty on Phiếu số 1."""

    judgment_id: int
    judgment_number: str
    judgment_date: date
    court: str
    offences: tuple[str, ...]
    principal_penalty: str
    additional_penalties: tuple[str, ...]
    in_force: bool
    expunged: bool
    expunged_on: date | None
    never_a_record: bool
    basis: str
    explanation: tuple[str, ...]
    overridden: bool = False
    court_fee: str | None = None
    civil_obligations: tuple[str, ...] = ()
    enforcement: tuple[str, ...] = ()

    @property
    def note(self):
        """What Phiếu số 2 prints beside a conviction that was never a record."""
        return f"Không bị coi là có án tích ({self.basis})" if self.never_a_record else None

    def to_preview(self):
        return {
            "judgment_number": self.judgment_number,
            "judgment_date": self.judgment_date.isoformat(),
            "court": self.court,
            "offences": list(self.offences),
            "principal_penalty": self.principal_penalty,
            "additional_penalties": list(self.additional_penalties),
            "expunged": self.expunged,
            "expunged_on": _iso(self.expunged_on),
            "never_a_record": self.never_a_record,
            "basis": self.basis,
            "explanation": " ".join(self.explanation),
        }


@dataclass(frozen=True)
class BanEntry:
    """A court's bankruptcy ban in force on the certificate's date."""

    decision_number: str
    decided_on: date
    court: str
    post: str
    starts_on: date
    ends_on: date | None

    def to_preview(self):
        return {
            "decision_number": self.decision_number,
            "decided_on": self.decided_on.isoformat(),
            "court": self.court,
            "post": self.post,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": _iso(self.ends_on),
        }


@dataclass(frozen=True)
class VerificationNeed:
    """Why the answer about one judgment (or prosecution) needs an agency's confirmation, as facts a
    routing rule can act on and as the sentence the officer reads.

    `code` is "old_record", "missing_outcome" (the principal or an additional penalty not known to be
    served), "missing_enforcement" (court fee, fine or civil obligation not known to be paid),
    "open_prosecution", or "automatic_expungement" (conditions for the commune and police to confirm)."""

    code: str
    text: str
    judgment_id: int | None = None
    court: str | None = None
    missing: tuple[str, ...] = ()
    # For an automatic expungement: the waiting period the commune and the police confirm.
    period_from: date | None = None
    period_to: date | None = None


@dataclass(frozen=True)
class CertificateContent:
    """What a Phiếu số 1 or 2 would say about a person on `as_of`, and what the officer needs to know."""

    as_of: date
    certificate_type: int
    with_bans: bool
    person: dict
    conviction_status: str
    # What the certificate shows: on Phiếu số 1 the convictions in force, on Phiếu số 2 every one.
    convictions: tuple[Conviction, ...]
    # Every judgment known on `as_of`, shown or not, for the officer's explanation.
    all_decisions: tuple[Conviction, ...]
    bans: tuple[BanEntry, ...]
    verification_needs: tuple[VerificationNeed, ...]

    @property
    def needs_verification(self):
        """The reasons, as sentences, without repeats."""
        return tuple(dict.fromkeys(need.text for need in self.verification_needs))

    @property
    def ban_section(self):
        """Whether the certificate prints the ban section: always on Phiếu số 2, on request on Phiếu số 1."""
        return self.certificate_type == 2 or self.with_bans

    def to_preview(self):
        """The records contract's preview JSON."""
        return {
            "as_of": self.as_of.isoformat(),
            "certificate_type": self.certificate_type,
            "person": {
                "full_name": self.person["full_name"],
                "date_of_birth": _birth_iso(
                    self.person["date_of_birth"], self.person["date_of_birth_precision"]
                ),
                "id_number": self.person["id_number"],
            },
            "conviction_status": self.conviction_status,
            "convictions": [conviction.to_preview() for conviction in self.convictions],
            "bans": [ban.to_preview() for ban in self.bans],
        }

    def to_text(self):
        """The content as readable lines, in the certificate's order."""
        p = self.person
        lines = [
            f"PHIẾU LÝ LỊCH TƯ PHÁP SỐ {self.certificate_type} "
            f"(xem trước, tại ngày {format_date(self.as_of)})",
            f"Họ và tên: {p['full_name']}",
            f"Tên gọi khác: {', '.join(p['other_names']) or 'không'}",
            f"Giới tính: {p['sex'] or ''}",
            f"Ngày, tháng, năm sinh: {p['date_of_birth_text']}",
            f"Nơi sinh: {p['place_of_birth'] or ''}",
            f"Quốc tịch: {p['nationality'] or ''}",
            f"Nơi cư trú: {p['residence'] or ''}",
            f"Số giấy tờ tùy thân: {p['id_number'] or ''}",
        ]
        if self.certificate_type == 2:
            lines += [f"Họ và tên cha: {p['father_name'] or ''}", f"Họ và tên mẹ: {p['mother_name'] or ''}"]
        lines.append(f"Tình trạng án tích: {STATUS_LABELS[self.conviction_status]}")
        for number, conviction in enumerate(self.convictions, 1):
            lines += _conviction_lines(number, conviction)
        if self.ban_section:
            lines.append(f"Thông tin về việc {BAN_SECTION}:")
            lines += [
                f"  - {b.post}: từ ngày {format_date(b.starts_on)}"
                + (f" đến ngày {format_date(b.ends_on)}" if b.ends_on else "")
                + f" (Quyết định số {b.decision_number} ngày {format_date(b.decided_on)} của {b.court})"
                for b in self.bans
            ] or [f"  Không bị {BAN_SECTION}."]
        if self.needs_verification:
            lines.append("Cần xác minh:")
            lines += [f"  - {reason}" for reason in self.needs_verification]
        return lines


def compose(person, certificate_type, *, as_of, with_bans=False, overrides=None):
    """What a Phiếu số `certificate_type` would say about `person` (and everyone merged into them) on
    `as_of`; `overrides` maps a judgment id to an officer's `(in_force, reason)`."""
    if certificate_type not in (1, 2):
        raise ValueError(f"certificate type must be 1 or 2, not {certificate_type!r}")
    person = surviving(person)
    ids = cluster_ids(person)
    rows = judgments_of(ids, as_of=as_of)
    judgments = [_engine_judgment(row) for row in rows]
    events = [_engine_event(e) for row in rows for e in row.events if e.on <= as_of]
    prosecutions = _engine_prosecutions(ids, as_of)
    born_on = _born_on(person)
    decisions = expungement.decide(judgments, events, prosecutions, born_on=born_on, as_of=as_of)
    by_id = {row.id: row for row in rows}
    full = certificate_type == 2
    overrides = overrides or {}
    convictions = tuple(
        _conviction(by_id[d.judgment_ref], d, overrides.get(d.judgment_ref), full=full, as_of=as_of)
        for d in decisions
    )
    verification = _needs_verification(
        rows, judgments, events, prosecutions, decisions, overrides, born_on=born_on, as_of=as_of
    )
    return CertificateContent(
        as_of=as_of,
        certificate_type=certificate_type,
        with_bans=with_bans,
        person=_identity(person, ids, full=full),
        conviction_status="has_convictions" if any(c.in_force for c in convictions) else "none",
        convictions=convictions if full else tuple(c for c in convictions if c.in_force),
        all_decisions=convictions,
        bans=_bans(ids, as_of) if full or with_bans else (),
        verification_needs=verification,
    )


# Reading the record as it stood on `as_of`.


def _engine_judgment(row):
    penalty = None
    if row.principal_type is not None:
        penalty = expungement.PrincipalPenalty(
            type=row.principal_type,
            months=row.principal_months,
            suspended=row.principal_suspended,
            probation_months=row.probation_months,
            fine_amount=row.fine_amount,
        )
    return expungement.Judgment(
        ref=row.id,
        number=row.number,
        pronounced_on=row.pronounced_on,
        effective_on=row.effective_on,
        court=row.court,
        offences=tuple(
            expungement.Offence(
                name=o.name,
                article=o.article,
                clause=o.clause,
                chapter=o.chapter,
                severity=o.severity,
                intent=o.intent,
                committed_on=o.committed_on,
                code=o.code,
            )
            for o in row.offences
        ),
        principal_penalty=penalty,
        exempted_from_punishment=row.exempted_from_punishment,
        reform_school=row.reform_school,
        additional_penalties=tuple(
            expungement.AdditionalPenalty(type=p.type, months=p.months, description=p.description)
            for p in row.additional_penalties
        ),
        court_fee=row.court_fee,
        civil_obligations=tuple(
            expungement.CivilObligation(description=o.description, amount=o.amount)
            for o in row.civil_obligations
        ),
    )


def _engine_event(row):
    return expungement.EnforcementEvent(
        judgment_ref=row.judgment_id,
        event=row.event,
        on=row.on,
        penalty_index=row.penalty_index,
        obligation_index=row.obligation_index,
    )


def _engine_prosecutions(ids, as_of):
    """One engine prosecution per status a prosecution has had, so the engine reads the status of `as_of`."""
    rows = db.session.scalars(
        sa.select(Prosecution)
        .where(Prosecution.person_id.in_(ids), Prosecution.opened_on <= as_of)
        .options(selectinload(Prosecution.history))
        .order_by(Prosecution.id)
    )
    return [
        expungement.Prosecution(
            ref=row.id,
            committed_on=row.committed_on,
            opened_on=row.opened_on,
            status=status,
            status_on=status_on,
        )
        for row in rows
        for status, status_on in [(h.status, h.status_on) for h in row.history]
        or [(row.status, row.status_on)]
    ]


def _bans(ids, as_of):
    rows = db.session.scalars(
        sa.select(Ban)
        .where(
            Ban.person_id.in_(ids),
            Ban.decided_on <= as_of,
            Ban.starts_on <= as_of,
            sa.or_(Ban.ends_on.is_(None), Ban.ends_on >= as_of),
        )
        .order_by(Ban.starts_on, Ban.id)
    )
    return tuple(
        BanEntry(
            decision_number=b.decision_number,
            decided_on=b.decided_on,
            court=b.court,
            post=b.post,
            starts_on=b.starts_on,
            ends_on=b.ends_on,
        )
        for b in rows
    )


def _born_on(person):
    """The date of birth as the engine takes it: the first day of the month or year if that is all we know."""
    born = person.date_of_birth
    if born is None:
        return None
    precision = _precision(person)
    if precision == "year":
        return born.replace(month=1, day=1)
    return born.replace(day=1) if precision == "month" else born


# The identity block.


def _identity(person, ids, *, full):
    """The identity block; Phiếu số 2 adds the parents (domain §2). Names and ID numbers of everyone merged
    into the person count, the person's own first."""
    people = db.session.scalars(
        sa.select(Person)
        .where(Person.id.in_(ids))
        .options(selectinload(Person.names), selectinload(Person.id_numbers))
        .order_by(sa.case((Person.id == person.id, 0), else_=1), Person.id)
    ).all()
    names = [name for p in people for name in (p.full_name, *(n.full_name for n in p.names))]
    id_numbers = [n for p in people for n in p.id_numbers]
    cccd = [n.number for n in id_numbers if n.type == "cccd"]
    block = {
        "full_name": person.full_name,
        "other_names": tuple(dict.fromkeys(n for n in names if n != person.full_name)),
        "sex": SEX_LABELS.get(person.sex),
        "date_of_birth": person.date_of_birth,
        "date_of_birth_precision": _precision(person),
        "date_of_birth_text": birth_text(person),
        "place_of_birth": person.place_of_birth,
        "nationality": NATIONALITIES.get(person.nationality, person.nationality),
        "residence": person.residence,
        "id_number": (cccd or [n.number for n in id_numbers] or [None])[0],
    }
    if full:
        block |= {"father_name": person.father_name, "mother_name": person.mother_name}
    return block


def birth_text(person):
    """A person's date of birth as far as it is known: "03/02/1985", "02/1985" or "1985"."""
    born = person.date_of_birth
    if born is None:
        return ""
    return {"day": format_date(born), "month": born.strftime("%m/%Y"), "year": str(born.year)}[
        _precision(person)
    ]


def _precision(person):
    # A row just built holds the string it was given, a loaded one the enum.
    return DatePrecision(person.date_of_birth_precision).value


def _birth_iso(born, precision):
    if born is None:
        return None
    return {"day": born.isoformat(), "month": born.strftime("%Y-%m"), "year": str(born.year)}[precision]


# The convictions.


def _conviction(row, decision, override, *, full, as_of):
    in_force, explanation = decision.in_force, decision.explanation
    if override is not None:
        in_force, reason = override
        said = "còn án tích" if in_force else "không có án tích"
        explanation = (*explanation, f"Cán bộ điều chỉnh kết luận: coi là {said}. Lý do: {reason}")
    never = decision.never_a_record and not in_force
    expunged = not in_force and not never
    conviction = Conviction(
        judgment_id=row.id,
        judgment_number=row.number,
        judgment_date=row.pronounced_on,
        court=row.court,
        offences=tuple(offence_text(o) for o in row.offences),
        principal_penalty=_principal_text(row),
        additional_penalties=tuple(_additional_text(p) for p in row.additional_penalties),
        in_force=in_force,
        expunged=expunged,
        expunged_on=decision.expunged_on if expunged else None,
        never_a_record=never,
        basis=decision.basis,
        explanation=explanation,
        overridden=override is not None,
    )
    if not full:
        return conviction
    return replace(
        conviction,
        court_fee=f"{format_number(row.court_fee)} đồng" if row.court_fee else None,
        civil_obligations=tuple(
            o.description + (f": {format_number(o.amount)} đồng" if o.amount else "")
            for o in row.civil_obligations
        ),
        enforcement=tuple(_event_text(row, e) for e in row.events if e.on <= as_of),
    )


def _principal_text(row):
    """The pronounced principal penalty as papers write it: "02 năm tù", "Phạt tiền 20.000.000 đồng"."""
    if row.principal_type is None:
        return "Đưa vào trường giáo dưỡng" if row.reform_school else "Miễn hình phạt"
    if row.principal_type == "death":
        return "Tử hình"
    text = penalty_text(_engine_judgment(row).principal_penalty)
    return text[0].upper() + text[1:]


def _additional_text(penalty):
    text = penalty.description or ADDITIONAL_PENALTIES[penalty.type].capitalize()
    return f"{text} ({duration(penalty.months)})" if penalty.months else text


def _event_text(row, event):
    label = EVENT_LABELS[event.event]
    if event.penalty_index is not None and event.penalty_index < len(row.additional_penalties):
        label += f": {_additional_text(row.additional_penalties[event.penalty_index])}"
    if event.obligation_index is not None and event.obligation_index < len(row.civil_obligations):
        label += f": {row.civil_obligations[event.obligation_index].description}"
    return f"{format_date(event.on)}: {label}" + (f" ({event.note})" if event.note else "")


def _conviction_lines(number, c):
    lines = [
        f"{number}. Bản án số {c.judgment_number} ngày {format_date(c.judgment_date)} của {c.court}",
        f"   Tội danh: {'; '.join(c.offences)}",
        f"   Hình phạt chính: {c.principal_penalty}",
    ]
    if c.additional_penalties:
        lines.append(f"   Hình phạt bổ sung: {'; '.join(c.additional_penalties)}")
    if c.court_fee:
        lines.append(f"   Án phí: {c.court_fee}")
    if c.civil_obligations:
        lines.append(f"   Nghĩa vụ dân sự: {'; '.join(c.civil_obligations)}")
    if c.enforcement:
        lines.append(f"   Tình trạng thi hành án: {'; '.join(c.enforcement)}")
    if c.never_a_record:
        status = c.note
    elif c.in_force:
        status = f"Còn án tích — căn cứ: {c.basis}"
    elif c.expunged_on:
        status = f"Đã được xóa án tích từ ngày {format_date(c.expunged_on)} — căn cứ: {c.basis}"
    else:
        status = "Không còn án tích"
    lines += [f"   {status}", *(f"   · {sentence}" for sentence in c.explanation)]
    return lines


# Why the answer needs verification (domain §8).


def _needs_verification(rows, judgments, events, prosecutions, decisions, overrides, *, born_on, as_of):
    """What needs confirming, in judgment order: old records, answers that hang on missing enforcement
    data or an open prosecution, and automatic expungements whose conditions the commune and police
    confirm."""
    by_id = {row.id: row for row in rows}
    missing = {j.ref: _missing_orders(j, events) for j in judgments}
    supposed = [event for j in judgments for event, _ in missing[j.ref]]
    dropped = [replace(p, status="dismissed", status_on=p.opened_on) for p in prosecutions]
    lifted = {
        p.ref for p in prosecutions if p.status in expungement.LIFTED and p.status_on and p.status_on <= as_of
    }
    still_open = list({p.ref: p for p in reversed(prosecutions) if p.ref not in lifted}.values())
    if_complete = {
        d.judgment_ref: d.in_force
        for d in expungement.decide(judgments, events + supposed, dropped, born_on=born_on, as_of=as_of)
    }
    needs = []
    for d in decisions:
        row = by_id[d.judgment_ref]
        judgment = f"Bản án số {row.number} ngày {format_date(row.pronounced_on)}"
        facts = {"judgment_id": row.id, "court": row.court}
        if row.pronounced_on < RECORDS_LAW_IN_FORCE_ON:
            text = (
                f"{judgment} có từ trước ngày {format_date(RECORDS_LAW_IN_FORCE_ON)}: "
                "cần tra cứu, xác minh tại cơ quan Công an."
            )
            needs.append(VerificationNeed("old_record", text, **facts))
        if d.judgment_ref in overrides:
            continue
        if d.in_force and not if_complete[d.judgment_ref]:
            needs += _missing_needs(judgment, row, missing, by_id, still_open, facts)
        elif d.expunged_on is not None and d.basis.startswith(AUTOMATIC_BASES):
            text = (
                f"{judgment} đương nhiên được xóa án tích từ ngày {format_date(d.expunged_on)} ({d.basis}): "
                "cần UBND cấp xã nơi cư trú và cơ quan Công an xác nhận nơi cư trú và việc không phạm tội "
                "mới trong thời hạn xóa án tích."
            )
            needs.append(
                VerificationNeed(
                    "automatic_expungement",
                    text,
                    period_from=d.period_starts_on,
                    period_to=d.period_ends_on or d.expunged_on,
                    **facts,
                )
            )
    return tuple(needs)


# What the civil-judgment enforcement office (THADS) carries out; the rest is the sentence itself.
ENFORCEMENT_OFFICE_EVENTS = frozenset({"court_fee_paid", "civil_obligation_completed", "fine_paid"})


def _missing_needs(judgment, row, missing, by_id, prosecutions, facts):
    """The needs of a conviction whose answer hangs on data not yet in the record, one per agency that
    holds it: the court (the sentence served), the enforcement office (money paid), the procuracy (an
    open prosecution). They share the sentence the officer reads."""
    text = _missing_reason(judgment, row, missing, by_id, prosecutions)
    by_office = {"missing_outcome": [], "missing_enforcement": []}
    for event, label in missing[row.id]:
        paid = event.event in ENFORCEMENT_OFFICE_EVENTS or (
            event.event == "principal_completed" and row.principal_type == "fine"
        )
        by_office["missing_enforcement" if paid else "missing_outcome"].append(label)
    needs = [
        VerificationNeed(code, text, missing=tuple(labels), **facts)
        for code, labels in by_office.items()
        if labels
    ]
    needs += [
        VerificationNeed(
            "open_prosecution",
            text,
            missing=(f"kết quả vụ án khởi tố ngày {format_date(p.opened_on)}",),
            **facts,
        )
        for p in prosecutions
        if p.committed_on >= row.effective_on
    ]
    # Only a later judgment's enforcement is missing: that judgment's court says whether it was served.
    return needs or [VerificationNeed("missing_outcome", text, **facts)]


def _missing_orders(j, events):
    """What the record does not say was carried out for `j`, each as a supposed event dated as early as the
    sentence allows, with its label."""
    done = {(e.event, e.penalty_index, e.obligation_index) for e in events if e.judgment_ref == j.ref}
    kinds = {event for event, _, _ in done}
    penalty = j.principal_penalty
    if penalty is None or "enforcement_time_limit_expired" in kinds:
        return []
    fitting = set(PRINCIPAL_DONE)
    if penalty.type == "fine":
        fitting.add("fine_paid")
    if penalty.suspended:
        fitting.add("probation_completed")
    missing = []
    earliest = _earliest_completion(j)
    if penalty.type != "warning" and not kinds & fitting and earliest is not None:
        missing.append((("principal_completed", None, None), "chấp hành xong hình phạt chính", earliest))
    missing += [
        (
            ("additional_completed", i, None),
            f"chấp hành xong hình phạt bổ sung {_additional_text(p)}",
            j.effective_on,
        )
        for i, p in enumerate(j.additional_penalties)
    ]
    if j.court_fee:
        missing.append(
            (("court_fee_paid", None, None), f"nộp án phí {format_number(j.court_fee)} đồng", j.effective_on)
        )
    missing += [
        (
            ("civil_obligation_completed", None, i),
            f"thực hiện nghĩa vụ dân sự: {o.description}",
            j.effective_on,
        )
        for i, o in enumerate(j.civil_obligations)
    ]
    return [
        (expungement.EnforcementEvent(j.ref, event, on, penalty_index=p, obligation_index=o), label)
        for (event, p, o), label, on in missing
        if (event, p, o) not in done
    ]


def _earliest_completion(j):
    """The earliest day the principal penalty can have been served; None for a life or death sentence."""
    penalty = j.principal_penalty
    if penalty.type in ("life", "death"):
        return None
    if penalty.suspended:
        # The probation runs from the pronouncement (Art. 65).
        return add_months(j.pronounced_on, penalty.probation_months or 0)
    if penalty.type in ("prison", "non_custodial_reform"):
        return add_months(j.pronounced_on, penalty.months or 0)
    return j.effective_on


def _missing_reason(judgment, row, missing, by_id, prosecutions):
    """Why the answer for `row` hangs on data not yet in the record: its own, a later judgment's, or the
    outcome of one of the open `prosecutions`."""
    wanted = [label for _, label in missing[row.id]]
    wanted += [
        f"việc chấp hành bản án số {by_id[ref].number}"
        for ref, items in missing.items()
        if ref != row.id and items and min(o.committed_on for o in by_id[ref].offences) >= row.effective_on
    ]
    wanted += [
        f"kết quả vụ án khởi tố ngày {format_date(p.opened_on)}"
        for p in prosecutions
        if p.committed_on >= row.effective_on
    ]
    return (
        f"{judgment}: chưa có thông tin về {'; '.join(dict.fromkeys(wanted))}. Kết luận phụ thuộc vào các "
        "thông tin này, cần xác minh với Tòa án, Viện kiểm sát hoặc cơ quan thi hành án."
    )


def _iso(day):
    return None if day is None else day.isoformat()
