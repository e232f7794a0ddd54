"""The scheme: frozen Pydantic models of a 考核办法 as written in YAML.

Scheme → sections → items → criteria (the document's ● bullets) → one rule each.
Every node keeps the document's own numbering (`id`), its points and its sentence (`text`).
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Annotated, Any, Iterator, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict

from kaohe.rules import Rule
from kaohe.rules.base import Dec, InputSpec, Text


def _whole_number(value: Any) -> Any:
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


Int = Annotated[int, Strict(), BeforeValidator(_whole_number)]
Id = Annotated[Text, Field(min_length=1, max_length=64)]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Unit(Model):
    """An assessed unit (辖市(区), 处室, 单位)."""

    name: Text = Field(min_length=1, max_length=100)
    category: Text | None = None


class Ranking(Model):
    method: Literal["rank_eq", "dense"] = "rank_eq"
    """rank_eq: Excel RANK.EQ (1,1,3); dense: 中国式排名 (1,1,2)."""


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
    rule: Rule
    default: Dec | bool | Annotated[str, Strict()] | None = None
    """The value assumed when a unit's evidence has none; without it a missing value is reported."""

    def inputs(self) -> list[InputSpec]:
        return self.rule.inputs(self.id, self.points)


class Item(Model):
    id: Id
    title: Text
    """评价内容."""
    points: Dec = Field(ge=0)
    cap: Dec | None = Field(default=None, ge=0)
    """The most the item can give; its points when omitted."""
    basis: Text | None = None
    """评分依据 (档案资料, 工作现场, ...)."""
    criteria: list[Criterion] = Field(min_length=1)

    @property
    def limit(self) -> Decimal:
        return self.cap if self.cap is not None else self.points


class Section(Model):
    id: Id
    title: Text
    points: Dec = Field(ge=0)
    kind: Literal["base", "bonus"] = "base"
    """base sections add up to the full score; a bonus section (加分项目) sits outside it."""
    cap: Dec | None = Field(default=None, ge=0)
    """The most the section can give; its points when omitted."""
    items: list[Item] = Field(min_length=1)

    @property
    def limit(self) -> Decimal:
        return self.cap if self.cap is not None else self.points


class Scheme(Model):
    id: Id
    title: Text
    doc_number: Text | None = None
    """文号, e.g. 常机管〔2018〕49号."""
    issuer: Text | None = None
    year: Int = Field(ge=1949, le=2200)
    period: Literal["annual", "half-year", "quarterly"] = "annual"
    effective: _dt.date | None = None
    source: Text | None = None
    """The source document's file name."""
    full_score: Dec = Field(gt=0)
    units: list[Unit] = Field(default_factory=list)
    ranking: Ranking = Ranking()
    rounding: Rounding | None = None
    sections: list[Section] = Field(min_length=1)

    def criteria(self) -> Iterator[tuple[Section, Item, Criterion]]:
        for section in self.sections:
            for item in section.items:
                for criterion in item.criteria:
                    yield section, item, criterion

    def inputs(self) -> list[tuple[Criterion, InputSpec]]:
        """Every value the evidence supplies, in document order."""
        return [(c, spec) for _, _, c in self.criteria() for spec in c.inputs()]

    def unit_names(self) -> list[str]:
        return [u.name for u in self.units]
