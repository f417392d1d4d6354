"""Scoring a candidate against a query (or one person against another): pure, no database.

Each piece of evidence adds or takes away weight, with a reason: the same ID number counts most; names
count by how they differ (diacritics, middle names swapped or missing, typos); dates are compared at the
coarser of the two precisions; a different sex or date of birth counts against. The total is mapped onto
0..100. Reasons are kept as codes and translated only for what is shown.
"""

import math
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from lltp.core.text import fold, nfc
from lltp.records.models import DatePrecision


class Name(NamedTuple):
    written: str
    # Lower case with the diacritics kept: equal means the very same name.
    exact: str
    folded: str
    family: str
    middles: tuple[str, ...]
    given: str
    is_primary: bool

    @property
    def key(self):
        """What the blocking keys are made of: the family and the given name."""
        return f"{self.family} {self.given}"


def name(written, folded=None, *, is_primary=True):
    """A name taken apart (family name first, given name last), or None for an empty one."""
    folded = fold(written) if folded is None else folded
    tokens = folded.split()
    if not tokens:
        return None
    exact = " ".join(nfc(written).casefold().split())
    return Name(written, exact, folded, tokens[0], tuple(tokens[1:-1]), tokens[-1], is_primary)


@dataclass
class Profile:
    """What is compared: a query's identity, one person, or a person's whole cluster."""

    names: list = field(default_factory=list)
    id_numbers: set = field(default_factory=set)
    # (date, DatePrecision)
    births: list = field(default_factory=list)
    sexes: set = field(default_factory=set)
    places: list = field(default_factory=list)
    fathers: list = field(default_factory=list)
    mothers: list = field(default_factory=list)
    merged_into_id: int | None = None

    def absorb(self, other):
        """Add a merged person's identity (in new containers: the member's own profile stays as it was)."""
        self.names = self.names + [known for known in other.names if known not in self.names]
        self.id_numbers = self.id_numbers | other.id_numbers
        self.births = self.births + other.births
        self.sexes = self.sexes | other.sexes
        self.places = self.places + other.places
        self.fathers = self.fathers + other.fathers
        self.mothers = self.mothers + other.mothers

    # Folded once per profile (a profile is compared with many others when duplicates are looked for),
    # and through a cache: places and parents' names repeat from one person to the next.
    @cached_property
    def folded_places(self):
        return [_folded(place) for place in self.places]

    @cached_property
    def parent_names(self):
        return {
            "father": [parsed for parsed in map(_parent_name, self.fathers) if parsed],
            "mother": [parsed for parsed in map(_parent_name, self.mothers) if parsed],
        }


_folded = lru_cache(maxsize=65536)(fold)
_parent_name = lru_cache(maxsize=65536)(name)


REASONS = {
    "same_id": _l("Trùng số định danh %(number)s"),
    "other_id": _l("Số định danh khác"),
    "name_exact": _l("Họ tên trùng khớp"),
    "name_folded": _l("Họ tên trùng khi bỏ dấu"),
    "family_given": _l("Trùng họ và tên (không kể tên đệm)"),
    "name_typo": _l("Họ tên gần giống (sai %(count)d ký tự)"),
    "middle_swapped": _l("Đảo thứ tự tên đệm"),
    "middle_missing": _l("Thiếu tên đệm"),
    "middle_other": _l("Khác tên đệm"),
    "alias": _l("Theo tên khác: %(name)s"),
    "name_other": _l("Họ tên khác"),
    "birth_same": _l("Ngày sinh trùng"),
    "month_same_record": _l("Tháng, năm sinh trùng (hồ sơ chỉ ghi tháng, năm)"),
    "month_same_query": _l("Tháng, năm sinh trùng (chỉ biết tháng, năm sinh)"),
    "year_same_record": _l("Năm sinh trùng (hồ sơ chỉ ghi năm)"),
    "year_same_query": _l("Năm sinh trùng (chỉ biết năm sinh)"),
    "birth_swapped": _l("Ngày sinh đảo ngày và tháng"),
    "birth_digit": _l("Ngày sinh lệch một chữ số"),
    "birth_year_off": _l("Ngày, tháng sinh trùng, năm sinh lệch một năm"),
    "year_digit": _l("Năm sinh lệch một chữ số"),
    "birth_same_year": _l("Cùng năm sinh, khác ngày sinh"),
    "birth_other": _l("Ngày sinh khác"),
    "sex_same": _l("Cùng giới tính"),
    "sex_other": _l("Khác giới tính"),
    "place_same": _l("Nơi sinh trùng"),
    "place_close": _l("Nơi sinh gần giống"),
    "place_other": _l("Nơi sinh khác"),
    "father_same": _l("Tên cha trùng"),
    "father_close": _l("Tên cha gần giống"),
    "father_other": _l("Tên cha khác"),
    "mother_same": _l("Tên mẹ trùng"),
    "mother_close": _l("Tên mẹ gần giống"),
    "mother_other": _l("Tên mẹ khác"),
}
# The most that the place of birth and the parents can add to a total (`compare(..., full=False)` leaves
# them out): a candidate further behind than this on the rest cannot catch up.
FULL_PARTS_GAIN = 2.0 + 2.5 + 2.5

_COARSENESS = {DatePrecision.DAY: 0, DatePrecision.MONTH: 1, DatePrecision.YEAR: 2}


def render(reasons):
    """The reasons as an officer reads them (only what is shown is translated: it is not free)."""
    return tuple(str(REASONS[code]) % params if params else str(REASONS[code]) for code, params in reasons)


def score(total):
    """A total weight onto 0..100: under 50 for a name alone, about 90 with the same date of birth too,
    and close to 100 once an ID number or the parents agree as well."""
    return round(100 / (1 + math.exp(-(total - 10) / 2.5)), 1)


def compare(query, candidate, *, full=True):
    """(total weight, reasons as (code, params)) of a candidate against a query. Without `full`, only
    the ID numbers, names, dates of birth and sex: the cheap parts, to rank many candidates first."""
    parts = [_compare_ids, _compare_names, _compare_births, _compare_sexes]
    if full:
        parts += [_compare_places, _compare_fathers, _compare_mothers]
    total, reasons = 0.0, []
    for part in parts:
        found = part(query, candidate)
        if found:
            total += found[0]
            reasons += found[1]
    return total, reasons


def _compare_ids(query, candidate):
    if not query.id_numbers or not candidate.id_numbers:
        return None
    same = sorted(query.id_numbers & candidate.id_numbers)
    if same:
        return 12.0, [("same_id", {"number": same[0]})]
    # People change numbers (CMND to CCCD), so a different one counts only a little against.
    return -1.5, [("other_id", {})]


def _compare_names(query, candidate):
    best = None
    for asked in query.names:
        for known in candidate.names:
            weight, reasons = compare_name(asked, known)
            if not known.is_primary and weight > 0:
                reasons = [*reasons, ("alias", {"name": known.written})]
            if best is None or weight > best[0]:
                best = (weight, reasons)
    return best


def _typo_limit(first, second):
    """Two typos, or one between words of three letters or fewer (lan and lam are two names)."""
    return 1 if max(len(first), len(second)) <= 3 else 2


def _within(fewer, more):
    """Whether every middle name of `fewer` is among `more` (as many times)."""
    rest = list(more)
    for token in fewer:
        if token not in rest:
            return False
        rest.remove(token)
    return True


def compare_name(asked, known):
    """Weight and reasons of two names: the same, the same without diacritics, the same family and given
    names with the middle names swapped, missing or different, or a few letters apart."""
    if asked.folded == known.folded:
        if asked.exact == known.exact:
            return 9.0, [("name_exact", {})]
        return 8.5, [("name_folded", {})]
    family, given = OSA.distance(asked.family, known.family), OSA.distance(asked.given, known.given)
    if family > _typo_limit(asked.family, known.family) or given > _typo_limit(asked.given, known.given):
        return -4.0, [("name_other", {})]
    typos, penalty, middle = family + given, 0.0, None
    if asked.middles != known.middles:
        fewer, more = sorted((asked.middles, known.middles), key=len)
        if sorted(fewer) == sorted(more):
            penalty, middle = 1.5, "middle_swapped"
        elif _within(fewer, more):
            penalty, middle = 2.0, "middle_missing"
        elif (
            len(asked.middles) == len(known.middles)
            and (spelled := OSA.distance(" ".join(asked.middles), " ".join(known.middles))) <= 2
        ):
            typos += spelled
        else:
            penalty, middle = 3.5, "middle_other"
    if typos > 3:
        return -4.0, [("name_other", {})]
    reasons = [("name_typo", {"count": typos}) if typos else ("family_given", {})]
    if middle:
        reasons.append((middle, {}))
    return 8.5 - penalty - 1.75 * typos, reasons


def _compare_births(query, candidate):
    found = [_compare_birth(*asked, *known) for asked in query.births for known in candidate.births]
    return max(found, key=lambda item: item[0]) if found else None


def _one_digit_apart(first, second):
    return sum(a != b for a, b in zip(first, second, strict=True)) == 1


def _compare_birth(asked, asked_precision, known, known_precision):
    """Dates are compared at the coarser of the two precisions: an old record often knows only the year."""
    coarse = max(asked_precision, known_precision, key=_COARSENESS.__getitem__)
    side = "record" if known_precision == coarse else "query"
    if coarse == DatePrecision.YEAR:
        if asked.year == known.year:
            return 3.5, [(f"year_same_{side}", {})]
        if _one_digit_apart(f"{asked:%Y}", f"{known:%Y}") or abs(asked.year - known.year) == 1:
            return 0.5, [("year_digit", {})]
        return -5.0, [("birth_other", {})]
    if coarse == DatePrecision.MONTH:
        if (asked.year, asked.month) == (known.year, known.month):
            return 5.0, [(f"month_same_{side}", {})]
        if _one_digit_apart(f"{asked:%m%Y}", f"{known:%m%Y}"):
            return 2.0, [("birth_digit", {})]
        if asked.year == known.year:
            return -1.0, [("birth_same_year", {})]
        return -5.0, [("birth_other", {})]
    if asked == known:
        return 7.0, [("birth_same", {})]
    if asked.year == known.year and (asked.day, asked.month) == (known.month, known.day):
        return 3.5, [("birth_swapped", {})]
    if _one_digit_apart(f"{asked:%d%m%Y}", f"{known:%d%m%Y}"):
        return 3.5, [("birth_digit", {})]
    if (asked.month, asked.day) == (known.month, known.day) and abs(asked.year - known.year) == 1:
        return 2.5, [("birth_year_off", {})]
    if asked.year == known.year:
        return -1.5, [("birth_same_year", {})]
    return -5.0, [("birth_other", {})]


def _compare_sexes(query, candidate):
    if not query.sexes or not candidate.sexes:
        return None
    if query.sexes & candidate.sexes:
        return 0.5, [("sex_same", {})]
    return -4.0, [("sex_other", {})]


def _compare_places(query, candidate):
    if not query.places or not candidate.places:
        return None
    # token_set_ratio: "TP Hồ Chí Minh" agrees with "Phường 3, Quận 5, TP Hồ Chí Minh".
    ratio = max(fuzz.token_set_ratio(a, b) for a in query.folded_places for b in candidate.folded_places)
    if ratio >= 90:
        return 2.0, [("place_same", {})]
    if ratio >= 75:
        return 1.0, [("place_close", {})]
    # Places are written in many ways, and the units were reorganised: a difference counts little.
    return -0.5, [("place_other", {})]


def _compare_parent(query, candidate, role):
    """A parent's names are compared as a person's name is."""
    weights = [
        compare_name(asked, known)[0]
        for asked in query.parent_names[role]
        for known in candidate.parent_names[role]
    ]
    if not weights:
        return None
    weight = max(weights)
    if weight >= 8.5:
        return 2.5, [(f"{role}_same", {})]
    if weight >= 5:
        return 1.5, [(f"{role}_close", {})]
    return -1.0, [(f"{role}_other", {})]


def _compare_fathers(query, candidate):
    return _compare_parent(query, candidate, "father")


def _compare_mothers(query, candidate):
    return _compare_parent(query, candidate, "mother")
