"""The scheme: frozen Pydantic models of a 考核办法 as written in YAML.

Scheme → sections → items → criteria (the document's ● bullets) → one rule each.
Every node keeps the document's own numbering (`id`), its points and its sentence (`text`).
See docs/scheme-format.md for the meaning of every key.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import replace
from decimal import Decimal
from typing import Annotated, Any, Iterator, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Strict,
    Tag,
    model_validator,
)
from pydantic_core import PydanticCustomError

from kaohe.i18n import t
from kaohe.numbers import ceil, floor, normalize_text
from kaohe.rules import Rule
from kaohe.rules.base import Bound, Dec, InputSpec, ValueType, refusal
from kaohe.rules.base import Text as _AnyText
from kaohe.rules.events import Condition


def _whole_number(value: Any) -> Any:
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


def _nfkc(value: Any) -> Any:
    """Names and ids are matched against evidence, which is read NFKC-normalised (（）→ ())."""
    return normalize_text(value) if isinstance(value, str) else value


_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
"""What a scheme's text may not hold: control characters but tab and line breaks (XLSX cannot hold
them, a terminal acts on them), lone surrogates (no encoding can write them; YAML's "\\ud800"
makes one) and the noncharacters U+FFFE and U+FFFF (XML cannot hold them). The set the evidence
reader refuses in a cell, and the surrogates."""
_UNWRITABLE_IN_NAME = re.compile(
    "[\x00-\x1f\x7f-\x9f\xad\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ud800-\udfff"
    "\ufeff\ufffe\uffff]")
"""A name or id is one line, matched against evidence: line breaks and tabs are refused too, and
the invisible characters, bidi controls and zero-width ones (a unit "乙\\u202e" or "丁\\u200b"
looks like "乙" or "丁" and matches no evidence for it)."""
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""The bidi controls: in a title or a criterion's text they turn what is shown around (工\\u202e作)."""
_INVISIBLE = frozenset("\xad\u200b\u200c\u200d\u2060\ufeff") | frozenset(chr(c) for c in range(0x202a, 0x202f)) \
    | frozenset("\u061c\u200e\u200f\u2066\u2067\u2068\u2069")


def _refuse(bad: re.Pattern[str], invisible: str = "scheme.invisible_char"):  # type: ignore[no-untyped-def]
    def check(value: Any) -> Any:
        """Text that validates can be output: refused here, at its line, rather than crashing
        `score`, `show`, the XLSX writer or the template on it later."""
        if isinstance(value, str) and not value.isprintable():
            found = bad.search(value)
            if found is not None:
                char = found.group()
                key = ("scheme.surrogate" if "\ud800" <= char <= "\udfff" else
                       "scheme.noncharacter" if char in "\ufffe\uffff" else
                       invisible if char in _INVISIBLE else "scheme.control_char")
                raise PydanticCustomError("unwritable_text", "{reason}", {"reason": t(key, code=f"U+{ord(char):04X}")})
        return value

    return check


def _not_blank(value: Any) -> Any:
    """A name or id of nothing but spaces is none: it reads as "" once its spaces are gone."""
    if isinstance(value, str) and not value:
        raise PydanticCustomError("blank_name", "{reason}", {"reason": t("scheme.blank_name")})
    return value


Text = Annotated[_AnyText, AfterValidator(_refuse(_UNWRITABLE)), AfterValidator(_refuse(_BIDI, "scheme.bidi_in_text"))]
"""Text in the scheme (kaohe.rules.base.Text) that can be written wherever it is shown."""
Int = Annotated[int, Strict(), BeforeValidator(_whole_number)]
Name = Annotated[_AnyText, AfterValidator(_refuse(_UNWRITABLE_IN_NAME)), AfterValidator(_nfkc), AfterValidator(_not_blank)]
"""A unit, category or task-list key: compared with evidence after the same normalisation."""
Id = Annotated[_AnyText, Field(min_length=1, max_length=64), AfterValidator(_refuse(_UNWRITABLE_IN_NAME)),
               AfterValidator(_nfkc), AfterValidator(_not_blank)]

_UNSAFE_IN_FILE_NAMES = re.compile(r'[/\\:*?"<>|]')
"""Path separators and the characters Windows refuses in a file name."""


def _folder_name(value: Any) -> Any:
    """The scheme id names its case folder (`kaohe test` reads examples/<id>/): an id that is a
    path (`../x`, `/etc`) or that no filesystem takes as a name would read cases from elsewhere.
    Checked after NFKC (a full-width ／ is a /); outer blanks are already gone."""
    if not isinstance(value, str):
        return value
    found = _UNSAFE_IN_FILE_NAMES.search(value)
    what = f'"{found.group()}"' if found is not None else '"."' if value == "." else '".."' if ".." in value else None
    if what is not None:
        raise PydanticCustomError("unsafe_id", "{reason}", {"reason": t("scheme.id_unsafe", what=what)})
    return value


FolderId = Annotated[Id, AfterValidator(_folder_name)]
"""The scheme's own id, also the name of its folder of examples and cases."""
Effect = Literal["score", "deduct", "bonus"]


class Reading(BaseModel):
    """A sentence of the document that can be read two ways, and the way the scheme reads it:
    ambiguity kept as data, listed by `kaohe show`, and (with `alternative`) scored both ways so
    `score` and `rank` warn where the other reading would move a unit's place, grade or award."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    text: Text
    """The document's sentence, as it stands."""
    taken: Text
    """The reading the scheme takes."""
    other: Text
    """The reading it does not take."""
    alternative: dict[str, Any] | None = None
    """The object (criterion, award, flag…) as the other reading writes it: each key given
    replaces that key of the object (a whole `rule:`, `bars:`, `pass_on:`)."""


def _readings(value: Any) -> Any:
    return [value] if isinstance(value, dict) else value


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    reading: Annotated[tuple[Reading, ...], BeforeValidator(_readings)] = ()
    """Readings of the document's text marked on this object (one, or a list)."""


class Category(Model):
    id: Id
    title: Text | None = None
    full_score: Dec | None = None
    """The category's full score; the scheme's when omitted."""


class Check(Model):
    """A condition the evidence must meet, over named values ("输液处方数 <= 门诊处方数"): a unit
    whose figures break it is an evidence error, not a score."""

    when: Text
    text: Text
    """What is wrong when it does not hold, in the words the office uses."""


class Unit(Model):
    """An assessed unit (辖市(区), 处室, 单位)."""

    name: Name = Field(min_length=1, max_length=100)
    category: Name | None = None


class Flag(Model):
    """一票否决 (veto), 弄虚作假 (falsification) or a 申报必备条件 (prerequisite), recorded per unit."""

    id: Id
    kind: Literal["veto", "falsification", "prerequisite"]
    text: Text
    when: Text | None = None
    """A condition over named values that sets the flag ("未完成节能目标的,一票否决":
    `完成率 < 100%`); the evidence then does not give it. Veto and prerequisite only."""
    bars: list[Name] | Literal["all"] = "all"
    """What the flag bars: every award and every grade above `barred_grade` ("all"), or only the
    outcomes named ("一票否决…当年不得评为先进": [先进处室]). Falsification always bars all."""

    @model_validator(mode="after")
    def _when_fits(self) -> Flag:
        if self.when is not None and self.kind == "falsification":
            raise refusal("model.falsification_when")
        return self


ValueKind = Literal["count", "number", "rate", "bool", "level"]
Plain = Annotated[Decimal, Strict()] | bool | Annotated[str, Strict()]


class InputDecl(Model):
    """A figure the evidence supplies that is not one criterion's own (实际节能量, 节能目标), or
    that the scheme gives per unit (每月报送定额: 社救局 3, others 2). Values, rules and flags
    read it by its id; several may read the same one."""

    id: Id
    title: Text | None = None
    text: Text | None = None
    """The document's words naming the figure, where it has some."""
    type: ValueKind
    choices: list[Name] | None = None
    """level: the names the evidence may give."""
    negative: bool = False
    """A number below zero is accepted (energy use that rose); refused otherwise."""
    max: Bound | None = None
    """The largest accepted value; a rate is at most 100% unless stated (超额完成: 300%)."""
    each: list[Name] | None = Field(default=None, min_length=1)
    """A series: one value per label (1月…12月); evidence ids `<id>.<label>`."""
    default: Plain | None = None
    """The value where the evidence has none (0 for 未发生)."""
    per_unit: dict[Name, Plain] | None = None
    """Scheme data: each unit's own value (its quota); units not named take `default`. The
    evidence does not give it."""
    unit: Text = ""
    """What the figure counts (吨标准煤, 条, 元), for display."""
    owner: Text | None = None

    @model_validator(mode="after")
    def _shape(self) -> InputDecl:
        if self.type == "level" and not self.choices:
            raise refusal("model.level_choices")
        if self.per_unit is not None and self.each is not None:
            raise refusal("model.per_unit_series")
        return self


class ValueDecl(Model):
    """A value computed from other values: an expression (`实际 / 目标`), or a count of events
    ("市级以上民政系统采稿篇数": rows of 1.1.1 whose 級別 is 市級, 省級 or 國家級)."""

    id: Id
    title: Text | None = None
    text: Text | None = None
    """The document's words defining the value ("目标完成率 = 实际完成数 ÷ 目标数 × 100%")."""
    expr: Text | None = None
    count: Id | None = None
    """An events input whose rows are counted (`when` picks them; `distinct` counts an
    attribute's values once each: 一條信息多處錄用 counts once)."""
    when: Condition | None = None
    distinct: Text | None = None
    type: Literal["count", "number", "rate", "bool"] | None = None
    """What the value is (a rate is shown as a percentage); inferred when omitted, and checked
    against what the expression gives."""
    if_zero: Bound | bool | None = None
    """The value when the expression divides by zero ("目标为0的按完成计": 100%); without it
    such a division is an evidence error naming the cells."""
    among: Literal["all", "category"] = "all"
    """Whose values max_of, mean_of… and place_of compare: every unit, or the unit's category."""
    unit: Text = ""

    @model_validator(mode="after")
    def _one_way(self) -> ValueDecl:
        if (self.expr is None) == (self.count is None):
            raise refusal("model.expr_or_count")
        if self.count is None and (self.when is not None or self.distinct is not None):
            raise refusal("model.with_count")
        return self


class Periods(Model):
    """A scheme scored period by period (每季度考评一次) and combined into the year."""

    names: list[Name] = Field(min_length=2)
    """The periods, as the evidence's 期间 column writes them (一季度, 二季度, …)."""
    source: Literal["rows", "files"] = "rows"
    """rows: evidence rows name their 期间; files: each `score` run is one period, and `rank`
    combines the periods' results files, given in the order of `names`."""
    combine: Literal["mean", "sum", "weighted"] = "mean"
    weights: dict[Name, Bound] | None = None
    """weighted: each period's share; they must add up to 100%."""


class Ranking(Model):
    method: Literal["rank_eq", "dense"] = "rank_eq"
    """rank_eq: Excel RANK.EQ (1,1,3); dense: 中国式排名 (1,1,2)."""
    tie_break: list[Id] = Field(default_factory=list)
    """Section ids whose results decide between equal totals, in order; units still equal share a rank."""
    among: Literal["all", "category"] = "all"
    """all: one ranking; category: each category ranked on its own ("业务部门和综合部门分别排名"),
    with its own grades, quotas and awards (the place among all units is still shown)."""


class Grade(Model):
    """A grade (等次): by threshold (`min`), by quota (`count`), or both; listed best first."""

    name: Name
    min: Dec | None = None
    """The total needed (≥), e.g. 省一级 90."""
    count: Int | dict[Name, Int] | None = None
    """At most this many units (优秀2-3名: count 3, min_count 2); per category where the
    categories are ranked on their own ({业务部门: 2, 综合部门: 1})."""
    share: Bound | None = Field(default=None, gt=0, le=1)
    """At most this share of the units ranked together ("优秀等次不超过参评单位的20%")."""
    share_rounding: Literal["floor", "half_up", "ceil"] | None = None
    """How the share's count is rounded: floor (向下取整: "不超过"), half_up (四舍五入) or ceil; the
    document's rule must be stated with a share."""
    min_count: Int | None = Field(default=None, ge=0)
    """The fewest the document names; recorded, and reported when fewer units qualify."""
    requires: list[Id] | None = None
    """Prerequisite flag ids that must be met; all the scheme's prerequisites when omitted."""
    when: Text | None = None
    """A condition over named values the unit must meet for this grade ("发生死亡事故的不得评为一级":
    `死亡事故数 == 0`); a unit that does not takes the best grade below it that it reaches."""

    @model_validator(mode="after")
    def _quota(self) -> Grade:
        if self.share is not None and self.count is not None:
            raise refusal("model.count_or_share")
        if self.share is not None and self.share_rounding is None:
            raise refusal("model.share_rounding")
        if isinstance(self.count, dict) and any(v < 0 for v in self.count.values()) or (
                isinstance(self.count, int) and self.count < 0):
            raise refusal("model.count_negative")
        return self

    def quota(self, category: str | None, units: int) -> int | None:
        """How many units at most may take this grade among `units` units of `category`."""
        if self.share is not None:
            exact = self.share * units
            rounded = {"floor": floor(exact), "ceil": ceil(exact), "half_up": floor(exact + Decimal("0.5"))}
            return rounded[self.share_rounding or "floor"]
        if isinstance(self.count, dict):
            return self.count.get(category or "", 0)
        return self.count


class Award(Model):
    """An award by rank band among eligible units (前5名 先进处室), or a mark for the last places."""

    name: Name
    first: Int | None = Field(default=None, ge=1)
    last: Int | None = Field(default=None, ge=1)
    """Places first..last among the units eligible for awards (quotas pass down past barred units)."""
    bottom: Int | None = Field(default=None, ge=1)
    """The last N places of the whole ranking (最后2名 负责人不予评优); barred units included."""
    kind: Literal["award", "penalty"] | None = None
    """award (奖项) or penalty (处理: 通报, 不予评优); by default a band of the last places is a
    penalty and any other band an award."""
    pass_on: bool = True
    """名额顺延: a barred unit's place passes to the next eligible unit; false: it stays empty."""

    @property
    def is_penalty(self) -> bool:
        return self.kind == "penalty" if self.kind is not None else self.bottom is not None

    @model_validator(mode="after")
    def _band(self) -> Award:
        if (self.bottom is None) == (self.first is None or self.last is None):
            raise refusal("model.first_last_or_bottom")
        if self.first is not None and self.last is not None and self.first > self.last:
            raise refusal("model.first_after_last", first=self.first, last=self.last)
        return self


class MostImproved(Model):
    """进步最快: the units that rose most places since the previous results."""

    name: Name
    count: Int = Field(ge=1)
    outside_top: Int = Field(default=0, ge=0)
    """Only units ranked below this place now (前10名以外)."""
    section: Id | None = None
    """Rank places on one section's result instead of the total (单项进步奖)."""


class Outcomes(Model):
    grades: list[Grade] = Field(default_factory=list)
    otherwise: Name | None = None
    """The grade of every unit no grade above took (合格)."""
    step_up: bool = False
    """逐级晋升: at most one grade above the unit's previous grade (the lowest grade without one)."""
    barred_grade: Name | None = None
    """The best grade a vetoed, falsified or ineligible unit can take; none when omitted."""
    awards: list[Award] = Field(default_factory=list)
    most_improved: list[MostImproved] = Field(default_factory=list)
    near_tie: Dec = Field(default=Decimal(0), ge=0)
    """Totals this close across a quota, grade or award boundary are reported as near ties."""


class Rounding(Model):
    """四舍五入 (half up) to `places` decimals, applied at `stage` only."""

    places: Int = Field(ge=0, le=6)
    stage: Literal["criterion", "item", "section", "total"]


class Criterion(Model):
    id: Id
    title: Text | None = None
    text: Text
    """The document's own sentence for this ● criterion."""
    points: Dec | None = None
    """The criterion's points; when the document states none (可累加 bonus), only the item caps it."""
    effect: Effect = "score"
    """score: points earned; deduct: an amount taken off; bonus: added outside the cap."""
    rule: Rule
    default: Dec | bool | Annotated[str, Strict()] | None = None
    """The value assumed when a unit's evidence has none; without it a missing value is reported."""
    owner: Text | None = None
    categories: list[Name] | None = None
    of: Id | dict[Text, Id] | None = None
    """The named values the rule reads instead of this criterion's own evidence: one name, or
    (a rule with several inputs) a name per input label."""
    na: bool = False
    """不适用 (缺项) is an accepted evidence value: the criterion is then left out of the points
    its nodes could earn (应得分), for nodes that `normalise`."""

    def inputs(self) -> list[InputSpec]:
        """The values this criterion's rule reads (computed once: the model is frozen)."""
        cached = self.__dict__.get("_inputs")
        if cached is None:
            cached = self.rule.inputs(self.id, self.points)
            if self.na:
                cached = [replace(spec, na_ok=True) for spec in cached]
            self.__dict__["_inputs"] = cached
        return cached

    def bindings(self) -> dict[str, str]:
        """Input id → the named value it reads, for the inputs `of` binds (the others are evidence);
        a formula reads its own expression, named `rule:<id>`."""
        if self.rule.kind == "formula":
            return {self.inputs()[0].id: f"rule:{self.id}"}
        if self.of is None:
            return {}
        specs = self.inputs()
        if isinstance(self.of, str):
            return {specs[0].id: self.of} if len(specs) == 1 else {}
        return {spec.id: self.of[spec.label] for spec in specs if spec.label is not None and spec.label in self.of}


class Node(Model):
    """What items and sections share: how their parts add up."""

    base: Literal["earned", "full"] = "earned"
    """earned: start at 0; full: start at the node's points (以相应分值为基础)."""
    cap: Dec | None = Field(default=None, ge=0)
    """The most `start + Σ score` can reach; the node's points when omitted."""
    deduct_limit: Dec | None = Field(default=None, ge=0)
    """The most that can be deducted (扣分以本项目分值为限); the node's points when omitted."""
    bonus_cap: Dec | None = Field(default=None, ge=0)
    """The most the bonuses can add; no limit when omitted (加分不封顶)."""
    categories: list[Name] | None = None
    owner: Text | None = None
    normalise: bool = False
    """实得分 ÷ 应得分 × points: the result is scaled up over the points that apply when some
    criteria are 不适用 (缺项)."""
    negative: bool = False
    """The result may fall below 0 ("可出现负分"); by default deductions stop at 0 (扣完为止)."""

    @property
    def limit(self) -> Decimal | None:
        points = getattr(self, "points", None)
        return self.cap if self.cap is not None else points

    @property
    def deductible(self) -> Decimal | None:
        points = getattr(self, "points", None)
        return self.deduct_limit if self.deduct_limit is not None else points


class Group(Node):
    """A group of an item's criteria with its own points or limits: "自查工作3分(自查报告1分,
    核查资料2分)", "以下三项共扣不超过2.5分" (`deduct_limit: 2.5`). A group limits what its criteria
    earn (`cap`, its points), deduct (`deduct_limit`, no limit when omitted) and add (`bonus_cap`)
    and hands the rest to its item; with `base: full` it is scored like an item of its own."""

    id: Id
    title: Text
    text: Text | None = None
    """The document's sentence for the group, where it has one."""
    points: Dec | None = Field(default=None, ge=0)
    criteria: list[Criterion] = Field(min_length=1)

    @model_validator(mode="after")
    def _full_needs_points(self) -> Group:
        if self.base == "full" and self.points is None:
            raise refusal("model.full_needs_points")
        return self


def _criterion_or_group(value: Any) -> str:
    if isinstance(value, dict):
        return "group" if "criteria" in value else "criterion"
    return "group" if isinstance(value, Group) else "criterion"


class Item(Node):
    id: Id
    title: Text
    """评价内容."""
    points: Dec | None = Field(default=None, ge=0)
    """None when the document gives the item no points of its own (不细分分值)."""
    basis: Text | None = None
    """评分依据 (档案资料, 工作现场, ...)."""
    criteria: list[Annotated[Annotated[Criterion, Tag("criterion")] | Annotated[Group, Tag("group")],
                             Discriminator(_criterion_or_group)]] = Field(min_length=1)
    """The item's ● criteria; a group of them with its own points or shared limit is written as
    an entry with `criteria:` of its own."""

    @model_validator(mode="after")
    def _full_needs_points(self) -> Item:
        if self.base == "full" and self.points is None:
            raise refusal("model.full_needs_points")
        return self

    def all_criteria(self) -> list[Criterion]:
        """The item's criteria, those inside groups included, in document order."""
        return [c for entry in self.criteria for c in (entry.criteria if isinstance(entry, Group) else [entry])]


class Section(Node):
    id: Id
    title: Text
    points: Dec | None = Field(default=None, ge=0)
    kind: Literal["base", "bonus", "deduction"] = "base"
    """base: adds up to the full score; bonus: added after it; deduction: taken off the total."""
    counted: bool = True
    """False: reported, but left out of the total (作为嘉奖依据,不计入百分考核)."""
    weight: Bound | None = None
    """A base section's share of the full score (20%); its result counts result ÷ points × weight."""
    items: list[Item] = Field(default_factory=list)
    tasks: dict[Name, list[Item]] | None = None
    """Per-unit task lists (责任清单): unit name → that unit's own items."""

    @model_validator(mode="after")
    def _shape(self) -> Section:
        if not self.items and not self.tasks:
            raise refusal("model.section_empty")
        if self.kind == "base" and self.points is None:
            raise refusal("model.base_needs_points")
        if self.weight is not None and self.kind != "base":
            raise refusal("model.weight_base_only")
        return self

    def items_for(self, unit: str) -> list[Item]:
        """The section's items for `unit`: the common items, then the unit's own tasks."""
        return self.items + (self.tasks.get(unit, []) if self.tasks else [])

    def all_items(self) -> Iterator[Item]:
        yield from self.items
        for task_items in (self.tasks or {}).values():
            yield from task_items


class Scheme(Model):
    id: FolderId
    title: Text
    doc_number: Text | None = None
    """文号, e.g. 常机管〔2018〕49号."""
    issuer: Text | None = None
    year: Int | None = Field(default=None, ge=1949, le=2200)
    period: Literal["annual", "half-year", "quarterly"] = "annual"
    periods: Periods | None = None
    effective: _dt.date | None = None
    source: Text | None = None
    """The source document's file name."""
    unit: Text = "分"
    """What results are counted in: 分 (points) or 元 (money)."""
    full_score: Dec | None = Field(default=None, ge=0)
    categories: list[Category] = Field(default_factory=list)
    units: list[Unit] = Field(default_factory=list)
    flags: list[Flag] = Field(default_factory=list)
    ranking: Ranking = Ranking()
    outcomes: Outcomes = Outcomes()
    rounding: Rounding | None = None
    rates: Literal["fraction", "percent"] | None = None
    """How a bare number in a rate cell is read where both readings fit its range: fraction
    (0.85 and 1 are 85% and 100%) or percent (85 is 85%, 1.5 is 1.5%). Without it such a cell is
    an error naming both readings; `85%` and a number that fits one reading only are always read."""
    normalise_to: Dec | None = Field(default=None, gt=0)
    """实得分 ÷ 应得分 × this: the base score converted over the points that apply (缺项) to a
    score out of this (100 for 百分制)."""
    inputs: list[InputDecl] = Field(default_factory=list)
    values: list[ValueDecl] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    display_places: Int | None = Field(default=None, ge=0, le=6)
    """Places shown for a value with no finite decimal form (28/3 ≈ 9.33) where `rounding` states
    none: 2 when omitted. Only what is shown is rounded; results files carry the exact value."""
    sections: list[Section] = Field(min_length=1)

    def shown_places(self) -> int | None:
        """The places a Rational is shown with: the scheme's display places, else its rounding's."""
        if self.display_places is not None:
            return self.display_places
        return self.rounding.places if self.rounding is not None else None

    def criteria(self) -> Iterator[tuple[Section, Item, Criterion]]:
        """Every criterion of the scheme, task lists and groups included."""
        for section in self.sections:
            for item in section.all_items():
                for criterion in item.all_criteria():
                    yield section, item, criterion

    def criterion_inputs(self) -> list[tuple[Criterion, InputSpec]]:
        """Every value a criterion's own evidence supplies, in document order (inputs bound to
        named values by `of` left out)."""
        return [(c, spec) for _, _, c in self.criteria() for spec in self.specs(c) if spec.id not in c.bindings()]

    def specs(self, criterion: Criterion) -> list[InputSpec]:
        """The criterion's inputs as this scheme reads them (its `rates` reading applied)."""
        if self.rates is None:
            return criterion.inputs()
        return [replace(s, bare=self.rates) if ValueType.RATE in (s.type, s.row_value) else s for s in criterion.inputs()]

    def unit_names(self) -> list[str]:
        return [u.name for u in self.units]

    def category_of(self, unit: str) -> str | None:
        for u in self.units:
            if u.name == unit:
                return u.category
        return None

    def full_score_for(self, category: str | None) -> Decimal | None:
        for c in self.categories:
            if c.id == category and c.full_score is not None:
                return c.full_score
        return self.full_score


def applies(node: Criterion | Item | Section, category: str | None) -> bool:
    """Whether a node exists for a unit of `category` (nodes without `categories` apply to all)."""
    return node.categories is None or category in node.categories
