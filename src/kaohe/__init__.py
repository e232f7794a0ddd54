"""kaohe: 考核办法 as code.

The Python API (docs/api.md): `kaohe.load_scheme`, `kaohe.score`, `kaohe.rank`, `kaohe.note_text`
and the exceptions they raise. They are found on first use (module `__getattr__`), so that
`import kaohe` stays cheap: the CLI imports this package before every command, and most
commands never need the engine or pydantic.
"""

from __future__ import annotations

import os

# python-docx (kaohe publish) brings lxml, and openpyxl writes through lxml whenever it is
# importable. Its lxml writer reports a full disk as lxml's SerialisationError (not an OSError)
# and leaves a half-run generator that prints "Exception ignored" on stderr; the standard
# library's writer, which openpyxl uses without lxml, fails as an OSError like every other
# write. Set before openpyxl is first imported; a caller's own setting is kept.
os.environ.setdefault("OPENPYXL_LXML", "False")

__version__ = "0.1.0"

_LAZY = {
    "load_scheme": "kaohe.api", "score": "kaohe.api", "rank": "kaohe.api", "note_text": "kaohe.api",
    "CheckedScheme": "kaohe.api", "Scored": "kaohe.api",
    "KaoheError": "kaohe.errors", "SchemeError": "kaohe.errors", "EvidenceError": "kaohe.errors",
    "Problem": "kaohe.errors", "Location": "kaohe.errors", "Severity": "kaohe.errors",
}
"""Each public name -> the module it lives in (imported when the name is first asked for)."""

__all__ = ["CheckedScheme", "EvidenceError", "KaoheError", "Location", "Problem", "SchemeError", "Scored",
           "Severity", "__version__", "load_scheme", "note_text", "rank", "score"]
"""Written out (not built from _LAZY) so that linters see the names the TYPE_CHECKING block imports."""

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers take it so)
if TYPE_CHECKING:  # for type checkers and editors: the names as if imported here
    from kaohe.api import CheckedScheme, Scored, load_scheme, note_text, rank, score
    from kaohe.errors import EvidenceError, KaoheError, Location, Problem, SchemeError, Severity


def __getattr__(name: str) -> object:
    """A public name of _LAZY, imported on first use and then kept as an attribute."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kaohe' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
