"""Outputs are written to a temporary file beside the target and moved into place."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from kaohe.errors import Location, OutputError, Problem
from kaohe.i18n import t


@contextmanager
def atomic_path(target: str | Path, inputs: list[str] | None = None) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it replaces the target."""
    target = Path(target)
    for source in inputs or []:
        if target.exists() and Path(source).exists() and os.path.samefile(source, target):
            raise OutputError([Problem(Location(str(target)), t("output.same_as_input"))])
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise OutputError([Problem(Location(str(target)), t("output.failed", reason=e.strerror or e))]) from e
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; a result file is for sharing
        os.replace(tmp_path, target)
    except PermissionError as e:  # Windows: the target is open in Excel or WPS
        raise OutputError([Problem(Location(str(target)), t("output.locked"))]) from e
    except OSError as e:
        raise OutputError([Problem(Location(str(target)), t("output.failed", reason=e.strerror or e))]) from e
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
