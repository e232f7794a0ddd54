"""Outputs are written to a temporary file beside the target and moved into place.

The temporary is unnamed where the system allows it (Linux: O_TMPFILE, on the filesystems that
support it): it has no name until it is complete, is then linked under a fresh name and renamed
over the target, so a process stopped in the middle of a write leaves nothing behind. Elsewhere it
is a named `.NAME.XXXX.tmp`, removed when the write fails or is interrupted by SIGINT or SIGTERM
(see `Interrupted`). SIGKILL cannot be caught: a process killed by it while writing keeps the
target as it was, but may leave the named temporary where no unnamed one could be made.
"""

from __future__ import annotations

import errno
import os
import signal
import sys
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Callable, Iterator, NoReturn

from kaohe.errors import Location, OutputError, Problem, not_a_file
from kaohe.i18n import t

USE_UNNAMED = sys.platform == "linux" and hasattr(os, "O_TMPFILE")
"""Whether to try an unnamed temporary first (tests turn it off to exercise the named one)."""
NAME_TRIES = 16
"""Fresh names tried when the finished unnamed temporary is linked into the folder."""

WRITTEN: list[Path] = []
"""The targets this process has written, in order: what an interrupt's message counts."""
CUT: list[Path] = []
"""The targets whose write an interrupt cut short (their temporaries removed): an interrupt's
message says whether one was."""

OverwriteCheck = Callable[[Path], list[Problem]]
overwrite_check: ContextVar[OverwriteCheck | None] = ContextVar("overwrite_check", default=None)
"""Set by a command that must not replace some files (`kaohe template` and a filled form): called
with each existing target before anything is written; the problems it returns refuse the write."""


@contextmanager
def checking_overwrites(check: OverwriteCheck | None) -> Iterator[None]:
    """Within this, every existing target is first shown to `check` (None: no check)."""
    token = overwrite_check.set(check)
    try:
        yield
    finally:
        overwrite_check.reset(token)


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived. Raised in the main thread where the signal is handled, it unwinds
    like KeyboardInterrupt (a BaseException: no `except Exception` stops it), removing temporaries
    on the way; the command line then says what was written and exits 128 + the signal's number."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


_held = 0
_pending: list[int] = []
_raised: list[int] = []
"""The signal whose Interrupted was first raised in this process: from then on the run is
unwinding, and a later signal is ignored (see on_signal)."""


def interrupted_by() -> int | None:
    """The signal whose Interrupted was raised in this process, or None. What ends the run after
    it ends it as that interrupt, whatever it looks like when it reaches the command line: a
    library may catch the Interrupted and raise an error of its own (pydantic-core builds a
    validator's SchemaError around it), or a writer's cleanup may fail on the state it was cut in
    (zipfile refusing to close an archive with a handle still open)."""
    return _raised[0] if _raised else None


def interrupt(signum: int) -> NoReturn:
    """Raise Interrupted for `signum`, as the handler does: a later signal is ignored while the
    run unwinds and says it was interrupted."""
    if not _raised:
        _raised.append(signum)
    raise Interrupted(signum)


def on_signal(signum: int, frame: object) -> None:
    """The handler for SIGINT and SIGTERM: raise Interrupted, or (while a temporary is being made,
    published or removed) when that step is done. A second signal while unwinding is ignored."""
    if _raised:
        return
    if _held:
        _pending.append(signum)
        return
    interrupt(signum)


def handle_interrupts() -> None:
    """Install on_signal for SIGINT and SIGTERM (the command line does, for the whole run)."""
    for name in ("SIGINT", "SIGTERM"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), on_signal)


@contextmanager
def _uninterrupted(deliver: bool = True) -> Iterator[None]:
    """A step that must not be cut: creating the temporary (so that it is known before anything can
    interrupt), publishing it, removing it. A signal in it is acted on when it ends (with
    `deliver`), or at the next `_deliver()`."""
    global _held
    _held += 1
    try:
        yield
    finally:
        _held -= 1
    if deliver:
        _deliver()


def _deliver() -> None:
    """Raise Interrupted for a signal that came during an uninterrupted step."""
    if not _held and _pending and not _raised:
        signum = _pending[0]
        _pending.clear()
        interrupt(signum)


class _Temporary:
    """Where a write goes: an unnamed file (written through /proc/self/fd/N), or a named one."""

    def __init__(self, path: Path, fd: int | None = None):
        self.path = path
        self.fd = fd
        self.named: Path | None = None if fd is not None else path

    def publish(self, target: Path) -> None:
        if self.fd is None:
            os.chmod(self.path, 0o666 & ~_umask())  # mkstemp makes 0600; a result file is for sharing
        else:
            self.named = _link(self.path, target.parent)
        os.replace(self.named, target)  # type: ignore[arg-type]
        self.named = None

    def discard(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        if self.named is not None:
            try:
                self.named.unlink()
            except FileNotFoundError:
                pass
            self.named = None


_REASONS = {errno.ENOENT: "output.reason_no_folder", errno.ENOSPC: "output.reason_disk_full",
            errno.EDQUOT: "output.reason_disk_full", errno.EFBIG: "output.reason_too_large",
            errno.EACCES: "output.reason_no_permission", errno.EPERM: "output.reason_no_permission",
            errno.EROFS: "output.reason_read_only"}
"""Why a write failed, in the interface language, for the causes an office meets (the system's
own words, in English, for any other)."""


def write_reason(e: OSError, folder: Path | None = None) -> str:
    """Why a write failed; `folder`, where given, is where the file was to be made: "no such
    file" there is a folder that is missing, or one that takes no new files (/proc)."""
    key = _REASONS.get(e.errno or 0)
    if key == "output.reason_no_folder" and folder is not None and folder.is_dir():
        key = "output.reason_no_new_files"
    return t(key) if key is not None else str(e.strerror or e)


@contextmanager
def atomic_path(target: str | Path, inputs: list[str] | None = None) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it replaces the target."""
    target = Path(target)
    refuse(target, inputs or [])
    folder = target.parent if str(target.parent) else Path(".")
    try:
        with _uninterrupted(deliver=False):
            tmp = _unnamed(folder) or _named(folder, target)
    except OSError as e:
        raise OutputError([Problem(Location(str(target)), t("output.failed", reason=write_reason(e, folder)))]) from e
    try:
        _deliver()
        yield tmp.path
        with _uninterrupted():
            tmp.publish(target)
            WRITTEN.append(target)
    except BaseException as e:
        if isinstance(e, (Interrupted, KeyboardInterrupt)) or interrupted_by() is not None:  # in any form
            if not WRITTEN or WRITTEN[-1] is not target:  # not when it came just after the publishing
                CUT.append(target)
            raise
        if isinstance(e, PermissionError):  # Windows: the target is open in Excel or WPS
            _settle(e)
            raise OutputError([Problem(Location(str(target)), t("output.locked"))]) from None
        if isinstance(e, OSError):  # a full disk, a file too large, a folder gone
            _settle(e)
            raise OutputError([Problem(Location(str(target)), t("output.failed", reason=write_reason(e)))]) from None
        raise
    finally:
        with _uninterrupted(deliver=False):
            tmp.discard()
        _deliver()


def refuse(target: Path, inputs: list[str]) -> None:
    """Refuse, before anything is written, a target that is one of the inputs, that is not a
    regular file (a folder, a pipe, a device), or that the command's overwrite check refuses.
    atomic_path asks for its target; a command writing several files asks for each first, so
    that one refused leaves none written."""
    if not os.path.lexists(target):
        return
    for source in inputs:
        if target.exists() and Path(source).exists() and os.path.samefile(source, target):
            raise OutputError([Problem(Location(str(target)), t("output.same_as_input"))])
    if not os.path.islink(target) or target.exists():
        what = not_a_file(target, readable=False)
        if what is not None:
            raise OutputError([Problem(Location(str(target)), t("output.not_a_file", what=what))])
    check = overwrite_check.get()
    if check is not None and target.is_file():
        problems = check(target)
        if problems:
            raise OutputError(problems)


def _unnamed(folder: Path) -> _Temporary | None:
    """An unnamed file in `folder`, or None where the system or the filesystem has none."""
    if not USE_UNNAMED:
        return None
    try:
        fd = os.open(folder, os.O_TMPFILE | os.O_RDWR, 0o666)  # the umask applies
    except OSError:  # EOPNOTSUPP, EISDIR, EINVAL: not on this filesystem; the named one reports
        return None
    path = Path(f"/proc/self/fd/{fd}")
    if not path.exists():  # no /proc: it could be neither written by path nor linked
        os.close(fd)
        return None
    return _Temporary(path, fd)


def _named(folder: Path, target: Path) -> _Temporary:
    import tempfile  # here, not at the top: every command imports this module for its interrupts

    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    return _Temporary(Path(tmp))


def _link(unnamed: Path, folder: Path) -> Path:
    """Give the finished unnamed file a fresh name in `folder` (linkat cannot replace a file).
    linkat must follow /proc's link to the file: os.link does only when given a folder's fd."""
    import secrets

    where = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        for _ in range(NAME_TRIES):
            name = f".kaohe.{secrets.token_hex(6)}.tmp"
            try:
                os.link(unnamed, name, src_dir_fd=where, dst_dir_fd=where, follow_symlinks=True)
            except FileExistsError:
                continue
            return folder / name
    finally:
        os.close(where)
    raise FileExistsError(t("output.no_name"))


def _settle(error: BaseException) -> None:
    """After a write failed (a full disk, a file too large), let what the writer left behind fail
    again quietly. A writer stopped midway leaves open streams in its objects (openpyxl's ZipFile,
    a write-only sheet's row stream): when they are collected, later or at exit, they try to
    finish, fail on the same disk or on a file already closed, and Python prints "Exception
    ignored in: ZipFile.__del__ … OSError" after kaohe's own message. From the first failed
    write on, such leftovers (OSError, ValueError) are not printed; anything else still is."""
    error.__traceback__ = None  # the failed writer's frames: not kept alive by the report
    if getattr(sys.unraisablehook, "kaohe_quiet", False):
        return
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if not isinstance(getattr(unraisable, "exc_value", None), (OSError, ValueError)):
            previous(unraisable)

    hook.kaohe_quiet = True  # type: ignore[attr-defined]
    sys.unraisablehook = hook


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
