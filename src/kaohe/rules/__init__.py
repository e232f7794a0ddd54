"""The rule kinds, one module each, in one explicit registry keyed by the `kind` a scheme writes."""

from __future__ import annotations

from typing import Annotated, Union

from pydantic import Field

from kaohe.rules.bands import Bands
from kaohe.rules.deduct import Deduct
from kaohe.rules.events import Events
from kaohe.rules.formula import Formula
from kaohe.rules.judged import Judged
from kaohe.rules.levels import Levels
from kaohe.rules.met import Met
from kaohe.rules.panel import Panel
from kaohe.rules.per_count import PerCount
from kaohe.rules.place import Place
from kaohe.rules.ratio import Ratio
from kaohe.rules.relative import Relative
from kaohe.rules.steps import Steps
from kaohe.rules.table import Table

REGISTRY = {
    "met": Met,
    "per_count": PerCount,
    "deduct": Deduct,
    "bands": Bands,
    "levels": Levels,
    "judged": Judged,
    "ratio": Ratio,
    "events": Events,
    "panel": Panel,
    "steps": Steps,
    "table": Table,
    "relative": Relative,
    "place": Place,
    "formula": Formula,
}

Rule = Annotated[Union[tuple(REGISTRY.values())], Field(discriminator="kind")]  # type: ignore[valid-type]
