"""The command line: parse options, build the parts, run them, map typed errors to exit codes.

Exit codes: 0 success, 1 invalid input (scheme or evidence), 2 usage, 130 and 143 interrupted
by SIGINT and SIGTERM. Heavy libraries (typer itself too) are imported inside the functions that
need them, so `kaohe --help` starts fast and an interrupt while they load is handled like any.
"""

from __future__ import annotations

import os
import re
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional

from kaohe import __version__
from kaohe.i18n import set_lang, t

if TYPE_CHECKING:
    import typer

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class OutputFormat(str, Enum):
    table = "table"
    json = "json"


class TextFormat(str, Enum):
    text = "text"
    json = "json"


class SplitBy(str, Enum):
    owner = "owner"
    unit = "unit"


class TreeFormat(str, Enum):
    tree = "tree"
    json = "json"


def _lang_from_argv(argv: list[str]) -> str:
    """The language is needed before the help text is built, so it is read from argv first."""
    for i, arg in enumerate(argv):
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
    return "en" if os.environ.get("KAOHE_LANG", "").lower().startswith("en") else "zh"


JSON_MESSAGE_COMMANDS = ("validate", "score", "rank", "explain", "diff")
"""The commands whose stderr is JSON lines under `--format json` (see docs/json-messages.md)."""


def _json_from_argv(argv: list[str]) -> bool:
    """Whether stderr speaks JSON lines: known before typer parses, so usage errors do too."""
    command, skip = None, False
    for arg in argv:
        if skip or arg.startswith("--lang="):
            skip = False
            continue
        if arg == "--lang":
            skip = True
        elif not arg.startswith("-"):
            command = arg
            break
    pairs = zip(argv, argv[1:], strict=False)
    return command in JSON_MESSAGE_COMMANDS and ("--format=json" in argv or ("--format", "json") in pairs)


def _err(text: str, level: str | None = None, code: str | None = None) -> None:
    """A line for stderr. It may hold input (a path, a unit's name, a case's name), so control
    characters are escaped: input must not act on the terminal (see errors.printable). Under
    `--format json` the line is a JSON object (errors.Sink) with `level` and `code` as given."""
    import typer

    from kaohe.errors import current_sink, printable

    text = current_sink().line(text, level, code)
    sys.stdout.flush()  # what was printed before comes before this, where both streams are shown
    typer.echo(printable(text, keep="\n\t"), err=True)
    sys.stderr.flush()


def _out(text: str) -> None:
    """A line for stdout, escaped as _err's are (JSON keeps its meaning: an escape is JSON's own)."""
    import typer

    from kaohe.errors import printable

    typer.echo(printable(text, keep="\n\t"))


def _fail_usage(message: str, code: str | None = None) -> None:
    import typer

    _err(message, "error", code)
    raise typer.Exit(EXIT_USAGE)


def _fail_usage_at(path: Path, key: str, /, **fields: object) -> None:
    """A usage mistake in the standard form, `path: 错误: …`, exit 2."""
    import typer

    from kaohe.errors import Location, Problem, report_lines

    for line in report_lines([Problem(Location(str(path)), t(key, **fields), code=key)]):
        _err(line)
    raise typer.Exit(EXIT_USAGE)


def _need_files(paths: list[Path]) -> None:
    """Every input is a regular file that can be read; otherwise say what it is (a folder, a
    named pipe, a device, a link loop), found without opening it (a pipe would block)."""
    from kaohe.errors import not_a_file_key

    for path in paths:
        what = not_a_file_key(path)
        if what is not None:
            _fail_usage_at(path, what[0], **what[1])


HELP_STAND_INS = {"rich.markdown": "Markdown", "rich.traceback": "Traceback"}
"""What typer's help module imports and kaohe's help never uses: the markdown markup mode and pretty
tracebacks (the app sets neither). They bring markdown-it and pygments, ~40 ms of the ~60 ms that
module takes to import (see _rich_utils)."""


def _rich_utils():  # type: ignore[no-untyped-def]
    """typer.rich_utils, imported without rich.markdown and rich.traceback (HELP_STAND_INS): while it
    is imported, a stand-in module offers each name, a class that imports the real one on first use
    (so markdown or a pretty traceback would still work). The stand-ins are taken out of sys.modules
    at once: a later `import rich.markdown` gets the real module. If either is already imported, or
    typer's module asks for anything else of them, it is imported the ordinary way."""
    loaded = sys.modules.get("typer.rich_utils")
    if loaded is not None:
        return loaded
    import types

    stand_ins = {}
    for module, name in HELP_STAND_INS.items():
        if module not in sys.modules:
            stand_in = types.ModuleType(module, "kaohe: stands in while typer.rich_utils is imported")
            setattr(stand_in, name, _deferred(module, name))
            stand_ins[module] = stand_in
    sys.modules.update(stand_ins)
    try:
        from typer import rich_utils
    except ImportError:  # typer asked for another name: import it with the real modules
        sys.modules.pop("typer.rich_utils", None)
        rich_utils = None
    finally:
        for module, stand_in in stand_ins.items():
            if sys.modules.get(module) is stand_in:
                del sys.modules[module]
    if rich_utils is None:
        from typer import rich_utils
    return rich_utils


def _deferred(module: str, name: str) -> type:
    """A class standing for `module.name` that imports it when first called, asked for an attribute
    (Traceback.from_exception) or used in isinstance."""

    def real() -> type:
        import importlib

        return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]

    class Deferred(type):
        def __call__(cls, *args, **kwargs):  # type: ignore[no-untyped-def]
            return real()(*args, **kwargs)

        def __getattr__(cls, attr: str):  # type: ignore[no-untyped-def]
            return getattr(real(), attr)

        def __instancecheck__(cls, instance: object) -> bool:
            return isinstance(instance, real())

    return Deferred(name, (), {"__module__": module, "__doc__": f"{module}.{name}, imported on first use"})


def _localise_help_frame() -> None:
    """Typer's help panels have English titles; name them in the current language."""
    rich_utils = _rich_utils()

    for name, key in (("ARGUMENTS_PANEL_TITLE", "cli.panel.arguments"), ("OPTIONS_PANEL_TITLE", "cli.panel.options"),
                      ("COMMANDS_PANEL_TITLE", "cli.panel.commands"), ("REQUIRED_LONG_STRING", "cli.required"),
                      ("DEFAULT_STRING", "cli.default"), ("ENVVAR_STRING", "cli.envvar"),
                      ("ERRORS_PANEL_TITLE", "cli.error_panel")):
        if hasattr(rich_utils, name):
            setattr(rich_utils, name, t(key))
    _wrapped_option_help(rich_utils)


def _wrapped_option_help(rich_utils) -> None:  # type: ignore[no-untyped-def]
    """typer lays an option's help out as rich Columns, which cut a Chinese sentence (one long word
    to rich: it has no spaces) with "…"; joined into one Text it wraps onto the next line instead."""
    from rich.columns import Columns
    from rich.text import Text

    original = getattr(rich_utils, "_get_parameter_help", None)
    if original is None or getattr(original, "kaohe_wrapped", False):
        return

    def joined(*args, **kwargs):  # type: ignore[no-untyped-def]
        shown = original(*args, **kwargs)
        items = getattr(shown, "renderables", None)
        if isinstance(shown, Columns) and items and all(isinstance(i, Text) for i in items):
            whole = Text(" ").join(items)
            whole.overflow = "fold"  # the table's column would cut it ("ellipsis")
            return whole
        return shown

    joined.kaohe_wrapped = True  # type: ignore[attr-defined]
    rich_utils._get_parameter_help = joined
    command_help = getattr(rich_utils, "_make_command_help", None)
    if command_help is not None:
        def folded(*args, **kwargs):  # type: ignore[no-untyped-def]
            shown = command_help(*args, **kwargs)
            if isinstance(shown, Text):
                shown.overflow = "fold"  # a command's line in the list, likewise
            return shown

        rich_utils._make_command_help = folded


def _localised(base: type) -> type:
    """A command class whose --help line and usage prefix speak the interface language."""

    class Localised(base):  # type: ignore[misc, valid-type]
        def get_help_option(self, ctx):  # type: ignore[no-untyped-def]
            option = super().get_help_option(ctx)
            if option is not None:
                option.help = t("cli.help_option")
            return option

        def get_usage(self, ctx) -> str:  # type: ignore[no-untyped-def]
            return super().get_usage(ctx).replace("Usage: ", t("cli.usage"), 1)

        def collect_usage_pieces(self, ctx):  # type: ignore[no-untyped-def]
            """[选项] SCHEME EVIDENCE...: the options in the interface language, and each argument by
            the name its error message gives it ("缺少参数 EVIDENCE"), not typer's {evidence}."""
            return [_usage_piece(piece) for piece in super().collect_usage_pieces(ctx)]

        def format_help(self, ctx, formatter):  # type: ignore[no-untyped-def]
            _localise_help_frame()  # only when help is shown: rich's help machinery is slow to import
            return super().format_help(ctx, formatter)

        def get_params(self, ctx):  # type: ignore[no-untyped-def]
            params = super().get_params(ctx)
            for param in params:
                if param.name in ("install_completion", "show_completion"):  # typer's own completion options
                    param.help = t(f"cli.{param.name}")
                # What a value looks like, in words ("文件", "table|json"), not typer's <path> or <bool>.
                param.display_type_rich = lambda ctx=None, _param=param: _readable_type(_param)
            return params

    return Localised


def _usage_piece(piece: str) -> str:
    if piece == "[OPTIONS]":
        return t("cli.usage_options")
    if piece == "COMMAND [ARGS]...":
        return t("cli.usage_command")
    return re.sub(r"\{([a-z_]+)\}|\[([a-z_]+)\]", lambda m: (m.group(1) or f"[{m.group(2)}]").upper(), piece)


READABLE_TYPES = {"unit": "cli.meta.unit", "item": "cli.meta.item"}
"""Options whose value is named for what it is rather than for its type."""


def _readable_type(param) -> str | None:  # type: ignore[no-untyped-def]
    """How the help names an option's or argument's value: nothing for a flag, the choices
    ("table|json", "zh|en"), 文件 (文件… for several), or what the value is (单位名称, 编号, 文本)."""
    from kaohe.i18n import LANGS

    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return None
    if param.name == "lang":
        return "|".join(LANGS)
    if param.name in READABLE_TYPES:
        return t(READABLE_TYPES[param.name])
    desc = getattr(param, "type_descriptor", None)
    if desc is None:
        return t("cli.meta.text")
    if desc.is_choice:
        return "|".join(str(c.value if isinstance(c, Enum) else c) for c in desc.choices or ())
    from typing import get_args

    element = get_args(desc.annotation)[0] if desc.is_list and get_args(desc.annotation) else desc.annotation
    if desc.is_path or (isinstance(element, type) and issubclass(element, os.PathLike)):
        return t("cli.meta.files" if param.nargs != 1 else "cli.meta.file")
    return t("cli.meta.text")


def build_app() -> typer.Typer:
    import typer
    from typer.core import TyperCommand, TyperGroup

    command_cls = _localised(TyperCommand)
    app = typer.Typer(cls=_localised(TyperGroup),help=t("cli.help"), no_args_is_help=True, add_completion=True,
                      pretty_exceptions_enable=False,
                      context_settings={"help_option_names": ["-h", "--help"]})

    @app.callback(invoke_without_command=True)
    def main_options(
        version: bool = typer.Option(False, "--version", help=t("cli.opt.version"), is_eager=True),
        lang: str = typer.Option("zh", "--lang", help=t("cli.opt.lang"), envvar="KAOHE_LANG"),
    ) -> None:
        if version:
            typer.echo(f"kaohe {__version__}")
            raise typer.Exit(EXIT_OK)
        from kaohe.i18n import LANGS, join_list, parse_lang

        code = parse_lang(lang)
        if code is None:  # `--lang fr` (or KAOHE_LANG=fr): say so, never fall back silently
            from kaohe.errors import current_sink

            text = t("cli.lang_unknown", lang=lang, langs=join_list(LANGS))  # labelled for a person only
            _fail_usage(text if current_sink().json_lines else f"{t('label.error')}: {text}", "cli.lang_unknown")
        set_lang(code)

    @app.command(cls=command_cls, help=t("cli.validate.help"))
    def validate(
        schemes: List[Path] = typer.Argument(..., help=t("cli.arg.schemes"), show_default=False),
        strict: bool = typer.Option(False, "--strict", help=t("cli.opt.strict_validate")),
        fmt_: TextFormat = typer.Option(TextFormat.text, "--format", help=t("cli.opt.validate_format")),
    ) -> None:
        from kaohe.errors import SchemeError, Severity, report_lines
        from kaohe.scheme.checks import check_scheme
        from kaohe.scheme.load import load_scheme

        _need_files(schemes)
        if fmt_ is TextFormat.json:  # one document on stdout (docs/json-messages.md)
            from kaohe.api import validation_document
            from kaohe.errors import json_text

            document = validation_document(schemes, strict)
            _out(json_text(document))
            raise typer.Exit(EXIT_OK if document["valid"] else EXIT_INVALID)
        failed = False
        for path in schemes:
            try:
                loaded = load_scheme(path)
            except SchemeError as e:
                for line in report_lines(e.problems):
                    _err(line)
                _err(t("validate.invalid", path=path, count=len(e.problems)))
                failed = True
                continue
            found = check_scheme(loaded)
            for line in report_lines(found):
                _err(line)
            errors = sum(p.severity is Severity.ERROR for p in found)
            if errors:
                _err(t("validate.invalid", path=path, count=errors))
                failed = True
            elif found and strict:
                _err(t("validate.strict", path=path))
                failed = True
            elif found:
                _out(t("validate.ok_warnings", path=path, count=len(found)))
            else:
                _out(t("validate.ok", path=path))
        raise typer.Exit(EXIT_INVALID if failed else EXIT_OK)

    @app.command(cls=command_cls, help=t("cli.show.help"))
    def show(scheme: Path = typer.Argument(..., help=t("cli.arg.scheme"), show_default=False)) -> None:
        from kaohe.report.terminal import console, outcomes_table, readings_table, scheme_table, values_table

        loaded = _load_checked(scheme)
        console().print(scheme_table(loaded.scheme))
        for table in (values_table(loaded.scheme), outcomes_table(loaded.scheme), readings_table(loaded)):
            if table is not None:
                console().print(table)

    @app.command(cls=command_cls, help=t("cli.template.help"))
    def template(
        scheme: Path = typer.Argument(..., help=t("cli.arg.scheme"), show_default=False),
        output: Path = typer.Option(..., "-o", "--output", help=t("cli.opt.template_output"), show_default=False),
        by: Optional[SplitBy] = typer.Option(None, "--by", help=t("cli.opt.by")),
        force: bool = typer.Option(False, "--force", help=t("cli.opt.template_force")),
    ) -> None:
        from kaohe.commands.template import blank_template_problems
        from kaohe.errors import OutputError
        from kaohe.report.atomic import checking_overwrites
        from kaohe.report.template import write_by_owner, write_by_unit, write_template

        # A blank template must never replace a form someone has filled in (or any other file).
        with checking_overwrites(None if force else blank_template_problems):
            if by is not None:
                loaded = _load_checked(scheme)
                _need_folder(output)
                try:
                    files = (write_by_owner if by is SplitBy.owner else write_by_unit)(loaded.scheme, output,
                                                                                       [str(scheme)])
                except OutputError as e:
                    _report_and_exit(e.problems)
                _out(t("template.written_many", count=len(files), folder=output))
                raise typer.Exit(EXIT_OK)
            if output.suffix.lower() not in (".xlsx", ".csv"):
                _fail_usage_at(output, "template.unknown_format", suffix=output.suffix or "?")
            _need_files([scheme])
            _output_not_an_input(output, [scheme])  # --force or not
            loaded = _load_checked(scheme)
            written: list[Path] = []
            try:
                count = write_template(loaded.scheme, output, [str(scheme)], written)
            except OutputError as e:
                _report_and_exit(e.problems)
        _out(t("template.written", path=output, units=len(loaded.scheme.units), inputs=count))
        for more in written[1:]:  # a CSV template's rows of events, in a file beside it
            _out(t("template.written_events", path=more))

    @app.command(cls=command_cls, help=t("cli.score.help"))
    def score(
        scheme: Path = typer.Argument(..., help=t("cli.arg.scheme"), show_default=False),
        evidence: List[Path] = typer.Argument(..., help=t("cli.arg.evidence"), show_default=False),
        output: Optional[Path] = typer.Option(None, "-o", "--output", help=t("cli.opt.score_output")),
        fmt_: OutputFormat = typer.Option(OutputFormat.table, "--format", help=t("cli.opt.format")),
        strict: bool = typer.Option(False, "--strict", help=t("cli.opt.strict_score")),
        no_timestamp: bool = typer.Option(False, "--no-timestamp", help=t("cli.opt.no_timestamp")),
    ) -> None:
        from kaohe.commands.score import run_score

        if output is not None and output.suffix.lower() not in (".xlsx", ".csv", ".json"):
            _fail_usage_at(output, "output.unknown_format", suffix=output.suffix or "?")
        _need_files([scheme, *evidence])
        _output_not_an_input(output, [scheme, *evidence])
        loaded = _load_checked(scheme)
        code = run_score(loaded, [str(p) for p in evidence], output, fmt_.value, strict, echo=_out, err=_err,
                         timestamp=not no_timestamp)
        raise typer.Exit(code)

    @app.command(cls=command_cls, help=t("cli.explain.help"))
    def explain(
        scheme: Path = typer.Argument(..., help=t("cli.arg.scheme"), show_default=False),
        evidence: List[Path] = typer.Argument(..., help=t("cli.arg.evidence"), show_default=False),
        unit: str = typer.Option(..., "--unit", help=t("cli.opt.unit"), show_default=False),
        item: Optional[str] = typer.Option(None, "--item", help=t("cli.opt.item")),
        fmt_: TreeFormat = typer.Option(TreeFormat.tree, "--format", help=t("cli.opt.tree_format")),
    ) -> None:
        from kaohe.commands.explain import run_explain

        _need_files([scheme, *evidence])
        loaded = _load_checked(scheme)
        raise typer.Exit(run_explain(loaded, [str(p) for p in evidence], unit, item, fmt_.value,
                                     echo=_out, err=_err))

    @app.command(cls=command_cls, help=t("cli.diff.help"))
    def diff(
        scheme: Path = typer.Argument(..., help=t("cli.arg.scheme"), show_default=False),
        evidence_a: Path = typer.Argument(..., help=t("cli.arg.evidence_a"), show_default=False),
        evidence_b: Path = typer.Argument(..., help=t("cli.arg.evidence_b"), show_default=False),
        fmt_: OutputFormat = typer.Option(OutputFormat.table, "--format", help=t("cli.opt.format")),
    ) -> None:
        from kaohe.commands.diff import run_diff

        _need_files([scheme, evidence_a, evidence_b])
        loaded = _load_checked(scheme)
        raise typer.Exit(run_diff(loaded, [str(evidence_a)], [str(evidence_b)], fmt_.value, echo=_out, err=_err))

    @app.command(cls=command_cls, help=t("cli.rank.help"))
    def rank(
        scheme: Path = typer.Argument(..., help=t("cli.arg.scheme"), show_default=False),
        results: List[Path] = typer.Argument(..., help=t("cli.arg.results"), show_default=False),
        previous: Optional[Path] = typer.Option(None, "--previous", help=t("cli.opt.previous")),
        output: Optional[Path] = typer.Option(None, "-o", "--output", help=t("cli.opt.rank_output")),
        fmt_: OutputFormat = typer.Option(OutputFormat.table, "--format", help=t("cli.opt.format")),
        force: bool = typer.Option(False, "--force", help=t("cli.opt.force")),
        no_timestamp: bool = typer.Option(False, "--no-timestamp", help=t("cli.opt.no_timestamp")),
    ) -> None:
        from kaohe.commands.rank import run_rank

        if output is not None and output.suffix.lower() not in (".xlsx", ".csv", ".json"):
            _fail_usage_at(output, "output.unknown_format", suffix=output.suffix or "?")
        _need_files([scheme, *results, *([previous] if previous else [])])
        _output_not_an_input(output, [scheme, *results, *([previous] if previous else [])])
        loaded = _load_checked(scheme)
        code = run_rank(loaded, list(results), previous, output, fmt_.value, force, not no_timestamp,
                        echo=_out, err=_err)
        raise typer.Exit(code)

    @app.command(cls=command_cls, help=t("cli.publish.help"))
    def publish(
        scheme: Path = typer.Argument(..., help=t("cli.arg.scheme"), show_default=False),
        results: List[Path] = typer.Argument(..., help=t("cli.arg.results"), show_default=False),
        output: Path = typer.Option(..., "-o", "--output", help=t("cli.opt.publish_output"), show_default=False),
        previous: Optional[Path] = typer.Option(None, "--previous", help=t("cli.opt.previous")),
        pdf: bool = typer.Option(False, "--pdf", help=t("cli.opt.pdf")),
        force: bool = typer.Option(False, "--force", help=t("cli.opt.force")),
    ) -> None:
        from kaohe.commands.publish import run_publish

        if output.suffix.lower() not in (".docx", ".pdf"):
            _fail_usage_at(output, "publish.unknown_format", suffix=output.suffix or "?")
        inputs = [scheme, *results, *([previous] if previous else [])]
        _need_files(inputs)
        _output_not_an_input(output, inputs)
        if pdf or output.suffix.lower() == ".pdf":
            _output_not_an_input(output.with_suffix(".pdf"), inputs)
        loaded = _load_checked(scheme)
        raise typer.Exit(run_publish(loaded, list(results), previous, output, pdf, force, echo=_out, err=_err))

    @app.command(cls=command_cls, name="test", help=t("cli.test.help"))
    def test_cases(
        scheme: Path = typer.Argument(..., help=t("cli.arg.scheme"), show_default=False),
        cases: Optional[List[Path]] = typer.Argument(None, help=t("cli.arg.cases"), show_default=False),
    ) -> None:
        from kaohe.commands.test import find_cases, run_case_file
        from kaohe.errors import KaoheError

        loaded = _load_checked(scheme)
        files = list(cases) if cases else find_cases(scheme, loaded.scheme.id)
        _need_files(files)
        if not files:
            _fail_usage(t("cases.none_found", id=loaded.scheme.id, stem=scheme.stem))
        passed = failed = 0
        for file in files:
            try:
                reports = run_case_file(loaded, file)
            except KaoheError as e:
                _report_and_exit(e.problems)
            for report in reports:
                if report.passed:
                    passed += 1
                    _out(t("cases.passed", case=report.name, checked=report.checked))
                    continue
                failed += 1
                _err(t("cases.failed", case=report.name))
                for item in [*report.problems, *report.mismatches]:
                    _err(f"  {item}")
        _out(t("cases.summary", passed=passed, failed=failed))
        raise typer.Exit(EXIT_INVALID if failed else EXIT_OK)

    return app


def _output_not_an_input(output: Path | None, inputs: list[Path]) -> None:
    """Refuse, before anything is read or printed, an output that is one of the command's inputs
    (`rank … --previous last.json -o last.json`), or whose folder is missing or no folder. The
    write checks again (atomic_path), for callers of the library."""
    from kaohe.errors import Location, Problem

    if output is None:
        return
    folder = output.parent if str(output.parent) else Path(".")
    if not os.path.lexists(folder):  # said before the evidence is read and the ranking printed, not after
        _report_and_exit([Problem(Location(str(output)), t("output.failed", reason=t("output.reason_no_folder")))])
    if not folder.is_dir():
        _report_and_exit([Problem(Location(str(folder)), t("output.not_a_folder"))])
    if not output.exists():
        return
    for source in inputs:
        if os.path.samefile(source, output):
            _report_and_exit([Problem(Location(str(output)), t("output.same_as_input"))])


def _need_folder(folder: Path) -> None:
    """The folder of `template --by` exists and is one: kaohe makes no folders (as `score -o` writes
    into no missing one), so a mistyped name is said, not made."""
    from kaohe.errors import Location, Problem

    if not os.path.lexists(folder):
        _report_and_exit([Problem(Location(str(folder)), t("output.no_folder"))])
    if not folder.is_dir():
        _report_and_exit([Problem(Location(str(folder)), t("output.not_a_folder"))])


from kaohe.commands.template import TEMPLATE_CHECK_BYTES  # noqa: E402,F401  (docs/limits.md names it here)


def _load_checked(path: Path):  # type: ignore[no-untyped-def]
    """Load a scheme and refuse it if it has errors (warnings are printed and pass)."""
    from kaohe.errors import SchemeError, Severity
    from kaohe.scheme.checks import check_scheme
    from kaohe.scheme.load import load_scheme

    _need_files([path])
    try:
        loaded = load_scheme(path)
    except SchemeError as e:
        _report_and_exit(e.problems)
    errors = [p for p in check_scheme(loaded) if p.severity is Severity.ERROR]
    if errors:
        _report_and_exit(errors)
    from kaohe.numbers import set_display_places

    set_display_places(loaded.scheme.shown_places())
    return loaded


def _report_and_exit(problems) -> None:  # type: ignore[no-untyped-def]
    import typer

    from kaohe.errors import report_lines

    for line in report_lines(problems):
        _err(line)
    raise typer.Exit(EXIT_INVALID)


EXIT_INTERNAL = 70


def main() -> None:
    """Run the command line. An interrupt (SIGINT, SIGTERM) from the first line on removes what was
    half written and says so in one line; one that comes while Python itself starts, before this
    runs, cannot be caught here and ends the process as Python's default would."""
    import signal

    early: list[int] = []
    for name in ("SIGINT", "SIGTERM"):  # kept until the real handler is in place, then acted on
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), lambda signum, frame: early.append(signum))
    from kaohe.report.atomic import Interrupted, handle_interrupts, interrupt, interrupted_by

    try:
        handle_interrupts()
        if early:
            interrupt(early[0])
        code = _run()
        signum = interrupted_by()
        if signum is not None:  # a library caught the interrupt and went on
            interrupt(signum)
        for name in ("SIGINT", "SIGTERM"):  # done: a late signal ends the process as it normally would
            if hasattr(signal, name):  # (one before this is still ours: the run is over, what was written is said)
                signal.signal(getattr(signal, name), signal.SIG_DFL)
    except (Interrupted, KeyboardInterrupt) as e:
        signum = e.signum if isinstance(e, Interrupted) else signal.SIGINT
        _say_interrupted(signum)
        sys.exit(128 + signum)  # 130 for SIGINT, 143 for SIGTERM, as a shell reports a signal
    sys.exit(code)


def _run() -> int:
    """The command's exit code; typed errors and usage mistakes are reported here."""
    set_lang("en" if _lang_from_argv(sys.argv[1:]).lower().startswith("en") else "zh")
    from kaohe.numbers import use_exact_arithmetic

    use_exact_arithmetic()  # the whole process computes exactly (see kaohe.numbers)
    from kaohe.bulk import collector_paused
    from kaohe.errors import Sink, current_sink, use_sink

    use_sink(Sink(json_lines=_json_from_argv(sys.argv[1:])))

    try:
        with collector_paused():  # a short-lived process of bulk steps (see kaohe.bulk)
            code = build_app()(prog_name="kaohe", standalone_mode=False)
    except Exception as e:
        from kaohe.report.atomic import interrupt, interrupted_by

        signum = interrupted_by()
        if signum is not None:  # the interrupt, turned into another error on its way out (see interrupted_by)
            interrupt(signum)
        kind = _usage_error_kind(e)
        if kind is None:  # a bug of ours: say so in one line, never a traceback
            _err(t("cli.internal_error", kind=type(e).__name__, detail=e), "error", "cli.internal_error")
            return EXIT_INTERNAL
        if kind == "Abort":
            return EXIT_INVALID
        key, text = _usage_parts(e, kind)
        if text:  # empty when typer has just shown the help (no arguments given)
            if current_sink().json_lines:  # the words alone; the label and the --help hint are for a person
                _err(text, "error", key)
            else:
                _err(_usage_message(e, text))
        return EXIT_USAGE
    return code if isinstance(code, int) else EXIT_OK


def _say_interrupted(signum: int) -> None:
    """One line: nothing was written, or which files were before the interrupt came."""
    import signal

    from kaohe.report.atomic import CUT, WRITTEN

    name = signal.Signals(signum).name
    if not WRITTEN:
        key = "cli.interrupted"
        text = t(key, signal=name)
    else:
        key = "cli.interrupted_after" if CUT else "cli.interrupted_done"
        text = t(key, signal=name, count=len(WRITTEN), last=WRITTEN[-1])
    try:
        _err(text, "error", key)
    except (OSError, ValueError):  # stderr is gone (a closed pipe): the exit code says it
        pass


def _usage_error_kind(error: Exception) -> str | None:
    """The click error class behind a command-line mistake (typer may vendor click), or None."""
    for cls in type(error).__mro__:
        if cls.__name__ in ("MissingParameter", "NoSuchOption", "BadParameter", "BadOptionUsage",
                            "UsageError", "Abort") and "click" in cls.__module__:
            return cls.__name__
    return None


_QUOTED = "'(?:[^'\\\\]|\\\\.)*'|\"(?:[^\"\\\\]|\\\\.)*\""
"""A Python string literal, as pydantic quotes a value (repr: 'xml', "x'y")."""
_NOT_ONE_OF = rf"({_QUOTED}) is not one of (.+?)\.?$"
"""pydantic's refusal of a value of an Enum option, with the values it accepts."""


def _usage_parts(error: Exception, kind: str) -> tuple[str, str]:
    """Click's own messages are English; the common ones are said again in the interface language:
    the catalogue key and the words ("" when there is nothing to say)."""
    import re

    param = getattr(error, "param", None)
    name = (param.opts[0] if param is not None and getattr(param, "opts", None) else
            getattr(param, "name", None) or getattr(error, "param_hint", None) or "")
    detail = error.format_message() if hasattr(error, "format_message") else str(error)
    if kind == "UsageError" and not detail:
        return "cli.err.usage", ""
    if kind == "MissingParameter":
        key, params = "cli.err.missing", {"name": str(name).upper() if not str(name).startswith("-") else name}
    elif kind == "NoSuchOption":
        key, params = "cli.err.no_such_option", {"name": getattr(error, "option_name", "")}
    elif kind == "BadParameter" and (choice := re.search(_NOT_ONE_OF, detail)):
        import ast

        from kaohe.i18n import join_list

        value, choices = ast.literal_eval(choice.group(1)), re.findall(_QUOTED, choice.group(2))
        key, params = "cli.err.bad_choice", {"name": name, "value": value,
                                             "choices": join_list([ast.literal_eval(c) for c in choices])}
    elif kind == "BadParameter":
        key, params = "cli.err.bad_parameter", {"name": name, "detail": detail}
    elif (match := re.match(r"No such command '(.+)'", detail)) is not None:
        key, params = "cli.err.no_such_command", {"name": match.group(1)}
    else:
        key, params = "cli.err.usage", {"detail": detail}
    return key, t(key, **params)


def _usage_message(error: Exception, text: str) -> str:
    """A usage error as a person reads it: labelled, with where to find the usage."""
    ctx = getattr(error, "ctx", None)
    command = ctx.command_path if ctx is not None else "kaohe"
    return f"{t('label.error')}: {text}\n{t('cli.err.hint', command=command)}"
