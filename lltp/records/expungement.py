"""The expungement engine (xóa án tích): domain §9, Penal Code 2015 Articles 69-73 and 107.

Pure: it takes plain values (the dataclasses below mirror the records-import contract's documents) and a
reference date, and touches no database, app, clock or locale. `decide()` reads the record as it stood on
`as_of`, filtering what it is given itself, and decides each conviction by the rules of §9 in their order:
never a record, court decision only, general amnesty, automatic expungement. Its explanation is legal
wording printed on papers, so it is Vietnamese in every locale.

Choices where §9 leaves one:
- The offender's date of birth is the person's, so it is given once, as `born_on` on the call. `None`
  (unknown) means the offender is taken to be an adult. When only the year or month is known, pass its
  first day: the offender is then never taken to be younger than they were.
- A judgment is never a record only if every one of its offences is (or it exempts from punishment, or
  imposes reform school). The juvenile bands apply only if every offence was committed before 18.
- The clock starts from the earliest completion event that fits the principal penalty:
  `principal_completed` or `enforcement_time_limit_expired` for any penalty, `fine_paid` for a fine,
  `probation_completed` for a suspended sentence. A warning is served when the judgment takes effect.
  The end of probation is never computed from the judgment: a probation can be revoked, so it takes the
  `probation_completed` event, and without one the case needs verification.
- A new offence is one committed on or after the day the old judgment took effect and before its
  expungement date. A restart never moves the clock earlier than it was.
- A `court_expungement_decision` on a judgment outside chapters XIII and XXVI is the special case of
  Art. 72: it expunges from its date, if that is earlier than the automatic date.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)
COURT_ONLY_CHAPTERS = frozenset({"XIII", "XXVI"})
ADULT_BANDS = {"a": 12, "b": 24, "c": 36, "d": 60}
JUVENILE_BANDS = {"a": 6, "b": 12, "c": 24, "d": 36}
SEVERITIES = {
    "less_serious": "ít nghiêm trọng",
    "serious": "nghiêm trọng",
    "very_serious": "rất nghiêm trọng",
    "especially_serious": "đặc biệt nghiêm trọng",
}
INTENTS = {"intentional": "do cố ý", "negligent": "do vô ý"}
COMPLETIONS = {
    "principal_completed": "Chấp hành xong hình phạt chính",
    "fine_paid": "Nộp xong tiền phạt (hình phạt chính)",
    "probation_completed": "Hết thời gian thử thách án treo",
    "enforcement_time_limit_expired": "Hết thời hiệu thi hành bản án",
    "warning": "Hình phạt cảnh cáo chấp hành xong khi bản án có hiệu lực",
}
ADDITIONAL_PENALTIES = {
    "ban_office": "cấm đảm nhiệm chức vụ, cấm hành nghề hoặc làm công việc nhất định",
    "ban_residence": "cấm cư trú",
    "probation_supervision": "quản chế",
    "deprivation_civic_rights": "tước một số quyền công dân",
    "fine": "phạt tiền",
    "confiscation": "tịch thu tài sản",
    "expulsion": "trục xuất",
}
LIFTED = {"dismissed": "đình chỉ", "acquitted": "tuyên không phạm tội"}


@dataclass(frozen=True)
class Offence:
    name: str
    article: str
    clause: str | None
    chapter: str
    severity: str
    intent: str
    committed_on: date
    code: str = "BLHS2015"


@dataclass(frozen=True)
class PrincipalPenalty:
    type: str
    months: int | None = None
    suspended: bool = False
    probation_months: int | None = None
    fine_amount: int | None = None


@dataclass(frozen=True)
class AdditionalPenalty:
    type: str
    months: int | None = None
    description: str = ""


@dataclass(frozen=True)
class CivilObligation:
    description: str
    amount: int | None = None


@dataclass(frozen=True)
class Judgment:
    ref: str
    number: str
    pronounced_on: date
    effective_on: date
    court: str
    offences: tuple[Offence, ...]
    principal_penalty: PrincipalPenalty | None
    exempted_from_punishment: bool = False
    reform_school: bool = False
    additional_penalties: tuple[AdditionalPenalty, ...] = ()
    court_fee: int = 0
    civil_obligations: tuple[CivilObligation, ...] = ()


@dataclass(frozen=True)
class EnforcementEvent:
    judgment_ref: str
    event: str
    on: date
    penalty_index: int | None = None
    obligation_index: int | None = None


@dataclass(frozen=True)
class Prosecution:
    ref: str
    committed_on: date
    opened_on: date
    status: str = "pending"
    status_on: date | None = None


@dataclass(frozen=True)
class Decision:
    judgment_ref: str
    in_force: bool
    never_a_record: bool
    expunged_on: date | None
    basis: str
    band: str | None
    period_starts_on: date | None
    period_ends_on: date | None
    explanation: tuple[str, ...]


@dataclass(frozen=True)
class _Record:
    """What was known on `as_of`: the judgments in force by then, the events and the prosecutions."""

    judgments: tuple[Judgment, ...]
    events: tuple[EnforcementEvent, ...]
    prosecutions: tuple[tuple[Prosecution, bool], ...]  # each with whether its block was lifted
    born_on: date | None
    as_of: date

    def first_on(self, judgment, event, **index):
        """The first day `event` was recorded for `judgment` (at the given index), or None."""
        days = [
            e.on
            for e in self.events
            if e.judgment_ref == judgment.ref
            and e.event == event
            and all(getattr(e, name) == value for name, value in index.items())
        ]
        return min(days, default=None)


def decide(judgments, events, prosecutions, *, born_on, as_of):
    """Decide each conviction known on `as_of`, oldest first, by the rules of domain §9 in their order."""
    known = sorted((j for j in judgments if j.effective_on <= as_of), key=lambda j: (j.pronounced_on, j.ref))
    record = _Record(
        judgments=tuple(known),
        events=tuple(e for e in events if e.on <= as_of),
        prosecutions=_known_prosecutions(prosecutions, as_of),
        born_on=born_on,
        as_of=as_of,
    )
    return [
        _never_a_record(j, record)
        or _court_decision_only(j, record)
        or _general_amnesty(j, record)
        or _automatic(j, record)
        for j in known
    ]


def conviction_status(decisions):
    """ "has_convictions" if at least one conviction is still in force, otherwise "none"."""
    return "has_convictions" if any(d.in_force for d in decisions) else "none"


def _known_prosecutions(prosecutions, as_of):
    """One entry per prosecution opened by `as_of`, and whether a dismissal or acquittal lifted it by then."""
    versions = {}
    for p in prosecutions:
        if p.opened_on <= as_of:
            versions.setdefault(p.ref, []).append(p)
    known = []
    for same in versions.values():
        lifting = [p for p in same if p.status in LIFTED and p.status_on and p.status_on <= as_of]
        known.append((min(lifting, key=lambda p: p.status_on), True) if lifting else (same[0], False))
    return tuple(known)


# Rule 1: never a record (Art. 69(2), Art. 107(1)).


def _never_a_record(j, record):
    if j.exempted_from_punishment:
        said = f"Bản án số {j.number} ngày {_d(j.pronounced_on)} miễn hình phạt"
        return _never(
            j, "Điều 69 khoản 2", [f"{said}; không bị coi là có án tích (Điều 69 khoản 2 BLHS 2015)."]
        )
    if j.reform_school:
        said = f"Bản án số {j.number} ngày {_d(j.pronounced_on)} áp dụng giáo dục tại trường giáo dưỡng"
        return _never(
            j,
            "Điều 107 khoản 1",
            [f"{said}; không bị coi là có án tích (Điều 107 khoản 1 điểm c BLHS 2015)."],
        )
    reasons = [_offence_never_a_record(o, record.born_on) for o in j.offences]
    if not reasons or None in reasons:
        return None
    articles = list(dict.fromkeys(article for article, _ in reasons))
    return _never(j, " và ".join(articles), [sentence for _, sentence in reasons])


def _offence_never_a_record(offence, born_on):
    """The article under which this offence leaves no record, and the sentence saying so, or None."""
    what = f"Tội {offence_text(offence)} phạm ngày {_d(offence.committed_on)}"
    if offence.intent == "negligent" and offence.severity in ("less_serious", "serious"):
        kind = f"tội phạm {SEVERITIES[offence.severity]} do vô ý"
        return "Điều 69 khoản 2", f"{what} là {kind}; không bị coi là có án tích (Điều 69 khoản 2 BLHS 2015)."
    age = _age(born_on, offence.committed_on)
    if age is None or age >= 18:
        return None
    if age < 16:
        point = "a"
    elif offence.severity in ("less_serious", "serious") or (
        offence.intent == "negligent" and offence.severity == "very_serious"
    ):
        point = "b"
    else:
        return None
    when = f"khi {age} tuổi (sinh ngày {_d(born_on)})"
    return "Điều 107 khoản 1", (
        f"{what}, {when}; không bị coi là có án tích (Điều 107 khoản 1 điểm {point} BLHS 2015)."
    )


def _never(j, articles, explanation):
    return Decision(
        judgment_ref=j.ref,
        in_force=False,
        never_a_record=True,
        expunged_on=None,
        basis=f"{articles} BLHS 2015",
        band=None,
        period_starts_on=None,
        period_ends_on=None,
        explanation=tuple(explanation),
    )


# Rule 2: chapters XIII and XXVI are expunged only by a court decision (Art. 71, Art. 73(3)).


def _court_decision_only(j, record):
    chapters = {o.chapter for o in j.offences}
    special = sorted(chapters & COURT_ONLY_CHAPTERS)
    if not special:
        return None
    mixed = bool(chapters - COURT_ONLY_CHAPTERS)
    basis = "Điều 73 khoản 3 BLHS 2015" if mixed else "Điều 71 BLHS 2015"
    others = " cùng tội thuộc chương khác" if mixed else ""
    said = [
        f"Bản án có tội thuộc chương {' và '.join(special)}{others}: "
        f"chỉ được xóa án tích theo quyết định của Tòa án ({basis})."
    ]
    decided_on = record.first_on(j, "court_expungement_decision")
    if decided_on is None:
        said.append(f"Đến ngày {_d(record.as_of)} chưa có quyết định xóa án tích của Tòa án; án tích còn.")
        return _decision(j, basis, said)
    said.append(
        f"Quyết định xóa án tích của Tòa án có hiệu lực ngày {_d(decided_on)}; được xóa án tích từ ngày đó."
    )
    return _decision(j, basis, said, expunged_on=decided_on)


# Rule 3: general amnesty (đại xá).


def _general_amnesty(j, record):
    amnesty_on = record.first_on(j, "general_amnesty")
    if amnesty_on is None:
        return None
    said = [f"Được đại xá ngày {_d(amnesty_on)}; không có án tích từ ngày {_d(amnesty_on)}."]
    return _decision(j, "đại xá", said, expunged_on=amnesty_on)


# Rule 4: automatic expungement (Art. 70, Art. 107(2)), with the restart of Art. 73(2).


@dataclass
class _Clock:
    """Where the expungement period of one conviction starts, and what has been said about it."""

    starts_on: date
    label: str
    months: int
    orders_done: list
    orders_missing: list
    said: list

    @property
    def ends_on(self):
        return add_months(self.starts_on, self.months)

    @property
    def expunged_on(self):
        """The first day it no longer counts, if nothing new happens; None while an order is outstanding."""
        if self.orders_missing:
            return None
        return max([self.ends_on, *(on for on, _ in self.orders_done)]) + ONE_DAY


def _automatic(j, record):
    juvenile = _juvenile(j, record.born_on)
    point = _band_point(j.principal_penalty)
    months = (JUVENILE_BANDS if juvenile else ADULT_BANDS)[point]
    article = f"Điều {107 if juvenile else 70} khoản 2 điểm {point}"
    band = (
        f"Hình phạt chính đã tuyên: {penalty_text(j.principal_penalty)}; thời hạn xóa án tích "
        f"{duration(months)} ({article} BLHS 2015), căn cứ hình phạt đã tuyên (Điều 73 khoản 1)."
    )
    said = [band, _juvenile_sentence(j, record.born_on)] if juvenile else [band]
    decision = _run_clock(j, record, months, article, said)
    return _early_court_decision(j, record, decision, band, months)


def _run_clock(j, record, months, article, said):
    """The automatic decision: from the completion of the principal penalty, through any restart."""
    completion = _completion(j, record)
    if completion is None:
        said.append(
            f"Đến ngày {_d(record.as_of)} chưa có thông tin chấp hành xong hình phạt chính: "
            "thời hạn xóa án tích chưa bắt đầu; án tích còn."
        )
        return _decision(j, f"{article} BLHS 2015", said, band=months)
    starts_on, event = completion
    time_limit = event == "enforcement_time_limit_expired"
    basis = (
        "Điều 70 khoản 3 BLHS 2015"
        if time_limit and article.startswith("Điều 70")
        else f"{article} BLHS 2015"
    )
    if time_limit:
        said.append("Hết thời hiệu thi hành bản án: chỉ xét điều kiện không phạm tội mới (Điều 70 khoản 3).")
    done, missing = ([], []) if time_limit else _other_orders(j, record)
    clock = _Clock(starts_on, COMPLETIONS[event], months, done, missing, said)
    if not _restart_for_new_judgments(j, record, clock):
        return _decision(j, basis, said, band=months)
    return _conclude(j, record, clock, article, basis)


def _restart_for_new_judgments(j, record, clock):
    """Move the clock to the completion of each new conviction (Art. 73(2)); False if one is not completed."""
    counted = {j.ref}
    while new := _new_judgments(j, record, clock.expunged_on, counted):
        for k, committed_on in new:
            counted.add(k.ref)
            offence = (
                f"{clock.label} ngày {_d(clock.starts_on)}, nhưng phạm tội mới ngày {_d(committed_on)} "
                f"(bản án số {k.number} có hiệu lực ngày {_d(k.effective_on)}) {_before(clock.expunged_on)}"
            )
            completion = _completion(k, record)
            if completion is None:
                clock.said.append(
                    f"{offence}; đến ngày {_d(record.as_of)} bản án mới chưa chấp hành xong hình phạt chính, "
                    "nên chưa được xóa án tích (Điều 73 khoản 2)."
                )
                return False
            clock.said.append(
                f"{offence}; thời hạn tính lại từ ngày chấp hành xong hình phạt chính của bản án mới "
                "(Điều 73 khoản 2)."
            )
            if completion[0] > clock.starts_on:
                clock.starts_on = completion[0]
                clock.label = f"{COMPLETIONS[completion[1]]} của bản án số {k.number}"
    return True


def _new_judgments(j, record, expunged_on, counted):
    """Other final judgments for an offence committed after `j` took effect and before `expunged_on`."""
    found = []
    for k in record.judgments:
        days = [o.committed_on for o in k.offences if _is_new_offence(o.committed_on, j, expunged_on)]
        if k.ref not in counted and days:
            found.append((k, min(days)))
    return found


def _is_new_offence(committed_on, j, expunged_on):
    return committed_on >= j.effective_on and (expunged_on is None or committed_on < expunged_on)


def _conclude(j, record, clock, article, basis):
    """The decision once the clock is known: the period, the other orders and any open prosecution."""
    said, expunged_on = clock.said, clock.expunged_on
    pending, prosecutions = _prosecutions_said(j, record, expunged_on)
    period = (
        f"{clock.label} ngày {_d(clock.starts_on)}; thời hạn {duration(clock.months)} ({article}) "
        f"kết thúc ngày {_d(clock.ends_on)}"
    )
    expunged = expunged_on is not None and expunged_on <= record.as_of and not pending
    last_order = max(clock.orders_done, default=None)
    late = last_order is not None and last_order[0] > clock.ends_on
    if expunged and not late:
        said.append(f"{period}; đương nhiên được xóa án tích từ ngày {_d(expunged_on)}.")
    else:
        said.append(f"{period}.")
    if last_order is not None and not clock.orders_missing:
        said.append(_orders_sentence(last_order, late, expunged_on if expunged else None))
    said.extend(prosecutions)
    for order in clock.orders_missing:
        said.append(f"Đến ngày {_d(record.as_of)} chưa {order}: chưa được xóa án tích (Điều 70 khoản 2).")
    if not expunged and expunged_on is not None and not pending:
        said.append(
            f"Tại ngày {_d(record.as_of)} án tích còn; nếu không phạm tội mới, "
            f"đương nhiên được xóa án tích từ ngày {_d(expunged_on)}."
        )
    return _decision(
        j,
        basis,
        said,
        expunged_on=expunged_on if expunged else None,
        band=clock.months,
        period=(clock.starts_on, clock.ends_on),
    )


def _orders_sentence(last_order, late, expunged_on):
    on, order = last_order
    if not late:
        return (
            f"Đã thi hành xong các quyết định khác của bản án (hình phạt bổ sung, án phí, nghĩa vụ dân sự), "
            f"việc cuối cùng ngày {_d(on)} (Điều 70 khoản 2)."
        )
    outcome = f"; được xóa án tích từ ngày {_d(expunged_on)}" if expunged_on else ""
    return f"Ngày {_d(on)} mới {order}, sau khi thời hạn kết thúc (Điều 70 khoản 2){outcome}."


def _prosecutions_said(j, record, expunged_on):
    """Whether a prosecution for a new offence before `expunged_on` is still open, and what to say of each."""
    pending, said = False, []
    for p, lifted in record.prosecutions:
        if not _is_new_offence(p.committed_on, j, expunged_on):
            continue
        case = f"Vụ án về hành vi phạm tội ngày {_d(p.committed_on)} (khởi tố ngày {_d(p.opened_on)})"
        if lifted:
            said.append(
                f"{case} đã được {LIFTED[p.status]} ngày {_d(p.status_on)}: không cản trở việc xóa án tích."
            )
        else:
            pending = True
            said.append(
                f"{case}, {_before(expunged_on)}, chưa kết thúc tại ngày {_d(record.as_of)}: "
                "chưa được xóa án tích (Điều 73 khoản 2)."
            )
    return pending, said


def _early_court_decision(j, record, decision, band, months):
    """Art. 72: a court may expunge before the automatic date."""
    decided_on = record.first_on(j, "court_expungement_decision")
    if decided_on is None or (decision.expunged_on is not None and decision.expunged_on <= decided_on):
        return decision
    said = [
        band,
        f"Quyết định xóa án tích của Tòa án có hiệu lực ngày {_d(decided_on)}; được xóa án tích từ ngày đó "
        "(Điều 72 BLHS 2015).",
    ]
    return _decision(j, "Điều 72 BLHS 2015", said, expunged_on=decided_on, band=months)


def _completion(j, record):
    """The day the principal penalty was completed and the event that says so, or None while it is not."""
    fitting = ["principal_completed", "enforcement_time_limit_expired"]
    penalty = j.principal_penalty
    if penalty.type == "fine":
        fitting.append("fine_paid")
    if penalty.suspended:
        fitting.append("probation_completed")
    done = [(on, event) for event in fitting if (on := record.first_on(j, event))]
    if penalty.type == "warning":
        done.append((j.effective_on, "warning"))
    return min(done, default=None)


def _other_orders(j, record):
    """The judgment's other orders (Art. 70(2)): those carried out, with their day, and those outstanding."""
    orders = [
        (
            record.first_on(j, "additional_completed", penalty_index=i),
            f"chấp hành xong hình phạt bổ sung {_additional_text(p)}",
        )
        for i, p in enumerate(j.additional_penalties)
    ]
    if j.court_fee > 0:
        orders.append((record.first_on(j, "court_fee_paid"), f"nộp án phí {_money(j.court_fee)} đồng"))
    orders += [
        (
            record.first_on(j, "civil_obligation_completed", obligation_index=i),
            f"thực hiện xong nghĩa vụ dân sự: {o.description}",
        )
        for i, o in enumerate(j.civil_obligations)
    ]
    return [(on, order) for on, order in orders if on], [order for on, order in orders if not on]


def _decision(j, basis, said, *, expunged_on=None, band=None, period=(None, None)):
    return Decision(
        judgment_ref=j.ref,
        in_force=expunged_on is None,
        never_a_record=False,
        expunged_on=expunged_on,
        basis=basis,
        band=duration(band) if band else None,
        period_starts_on=period[0],
        period_ends_on=period[1],
        explanation=tuple(said),
    )


def _juvenile(j, born_on):
    return born_on is not None and all(_age(born_on, o.committed_on) < 18 for o in j.offences)


def _juvenile_sentence(j, born_on):
    offence = min(j.offences, key=lambda o: o.committed_on)
    return (
        f"Phạm tội {SEVERITIES[offence.severity]} {INTENTS[offence.intent]} ngày {_d(offence.committed_on)}, "
        f"khi {_age(born_on, offence.committed_on)} tuổi (sinh ngày {_d(born_on)}): "
        "thời hạn theo Điều 107 khoản 2 BLHS 2015."
    )


def _band_point(penalty):
    """The point of Art. 70(2) / 107(2) that the pronounced principal penalty falls under."""
    if penalty.type in ("warning", "fine", "non_custodial_reform") or penalty.suspended:
        return "a"
    if penalty.type == "prison" and penalty.months <= 60:
        return "b"
    if penalty.type == "prison" and penalty.months <= 180:
        return "c"
    return "d"


def _before(expunged_on):
    return f"trước ngày {_d(expunged_on)}" if expunged_on else "khi chưa được xóa án tích"


def _age(born_on, on):
    if born_on is None:
        return None
    return on.year - born_on.year - ((on.month, on.day) < (born_on.month, born_on.day))


def add_months(day, months):
    """The same calendar date `months` later; a day the month lacks (29 February) becomes its last day."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def penalty_text(penalty):
    if penalty.type == "prison" and penalty.suspended:
        probation = duration(penalty.probation_months)
        return f"{duration(penalty.months)} tù cho hưởng án treo, thời gian thử thách {probation}"
    if penalty.type == "prison":
        return f"{duration(penalty.months)} tù"
    if penalty.type == "fine":
        return f"phạt tiền {_money(penalty.fine_amount)} đồng" if penalty.fine_amount else "phạt tiền"
    if penalty.type == "non_custodial_reform":
        return f"{duration(penalty.months)} cải tạo không giam giữ"
    return {"warning": "cảnh cáo", "life": "tù chung thân", "death": "tử hình, đã được giảm án"}[penalty.type]


def _additional_text(penalty):
    return penalty.description or ADDITIONAL_PENALTIES[penalty.type]


def offence_text(offence):
    clause = f" khoản {offence.clause}" if offence.clause else ""
    code = re.sub(r"(?<=\D)(?=\d{4}$)", " ", offence.code)
    return f"{offence.name} (Điều {offence.article}{clause} {code})"


def duration(months):
    """Months as the papers write them: "02 năm", "06 tháng", "01 năm 06 tháng"."""
    years, months = divmod(months, 12)
    return " ".join([*([f"{years:02d} năm"] if years else []), *([f"{months:02d} tháng"] if months else [])])


def _money(amount):
    return f"{amount:,}".replace(",", ".")


def _d(day):
    return day.strftime("%d/%m/%Y")
