"""Whether a workbook's sheet parts are well-formed XML, as the quick scan's expat pass finds.

The quick scan of a large sheet (kaohe.evidence.xlsxread) reads its cells off the bytes with a
pattern, and expat says whether those bytes are XML at all: both read every byte, and neither
lets go of the GIL. So for large sheets expat runs in a second process, this file run by itself
(`python -I -S wellformed.py BOOK MEMBER…`), while the first reads the cells. It writes a line per
member, in order, as each is checked: 1 where expat accepts the part (and it declares no entity
and refers to nothing outside), else 0. It imports nothing of kaohe and nothing beyond the
standard library, so that it starts in milliseconds."""

from __future__ import annotations

import sys
import zipfile
from typing import IO, Callable
from xml.parsers import expat

CHUNK = 1 << 16
"""Bytes handed to expat at a time: the check holds no more of a part."""


class Refused(Exception):
    """An entity declaration or an external reference: what defusedxml forbids."""


def _refuse(*_: object) -> None:
    raise Refused


def parser() -> expat.XMLParserType:
    """An expat parser that refuses entity declarations and external references."""
    made = expat.ParserCreate()
    made.EntityDeclHandler = _refuse
    made.UnparsedEntityDeclHandler = _refuse
    made.ExternalEntityRefHandler = _refuse  # type: ignore[assignment]
    return made


def well_formed(stream: IO[bytes]) -> bool:
    """Whether expat reads the whole of `stream` without an error or a refusal."""
    checker = parser()
    try:
        while True:
            chunk = stream.read(CHUNK)
            checker.Parse(chunk, not chunk)
            if not chunk:
                return True
    except Exception:  # noqa: BLE001 - a damaged part, a refusal, or a zip error: not vouched for
        return False


def check_parts(path: str, members: list[str], write: Callable[[str], object]) -> None:
    """`write` "1\\n" or "0\\n" for each member of the archive at `path`, in order."""
    try:
        archive = zipfile.ZipFile(path)
    except Exception:  # noqa: BLE001 - the first process reads it as it can, and tells what it finds
        archive = None
    for member in members:
        verdict = False
        if archive is not None:
            try:
                with archive.open(member) as stream:
                    verdict = well_formed(stream)
            except Exception:  # noqa: BLE001 - as above
                verdict = False
        write("1\n" if verdict else "0\n")


def main(argv: list[str]) -> int:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the first process is told, and ends this one
    out = sys.stdout

    def write(line: str) -> None:
        out.write(line)
        out.flush()

    try:
        check_parts(argv[0], argv[1:], write)
    except (BrokenPipeError, OSError):  # the first process has gone: nobody to tell
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
