"""The expression language of computed values: arithmetic over named values, and nothing else.

    完成率 = 实际节能量 / 节能目标
    少报条数 = sum(max(月定额 - 报送条数, 0))
    未完成 = 完成率 < 100%

Numbers (2, 0.5, 80%), names (identifiers of letters, CJK characters, digits, `_` and `.`, not
starting with a digit; any other id in brackets: `[2.3.1]`), `+ - * /` (also `× ÷`), parentheses,
comparisons `< <= > >= == !=` (also `≤ ≥ ≠ =`), `and`/`or`/`not` (also `且`/`或`/`非`) and the
functions `min`, `max`, `sum`, `abs` and `if(condition, then, else)`, and over all units `max_of`, `min_of`,
`mean_of`, `sum_of` and `place_of` of one name (全市最高值, 全市平均值, 排名), and quoted text
("省一级", 「省一级」) only where it is compared with a level (`申报等级 == "省一级"`), checked against
the level's choices. No attribute access, no calls of anything else: an expression is parsed into
the small tree below and evaluated by kaohe.values, never by Python's `eval`.

Full-width forms are read as their ASCII ones (（）＋－, ８０％). Every node keeps the offset of
its first character, so that a mistake is reported at its column.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from kaohe.numbers import div, in_range

FUNCTIONS = ("min", "max", "sum", "abs", "if")
PEER_FUNCTIONS = ("max_of", "min_of", "mean_of", "sum_of", "place_of")
"""Functions over every unit's value of one name (the scheme's units, or the unit's category
with the value's `among: category`): the highest, lowest, mean and sum, and this unit's place
(1 = the highest, ties sharing a place by the scheme's ranking method)."""
_OPERATORS = {"×": "*", "÷": "/", "≤": "<=", "≥": ">=", "≠": "!=", "=": "=="}
_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’", "「": "」", "『": "』"}
_WORDS = {"and": "and", "且": "and", "or": "or", "或": "or", "not": "not", "非": "not"}
MAX_DEPTH = 50
"""How deeply an expression may nest (parentheses, operators): deeper is refused, not recursed."""


class ExprError(ValueError):
    """A mistake in an expression: the catalogue key, its parameters and the offset it is at."""

    def __init__(self, key: str, offset: int, **params: object):
        super().__init__(key)
        self.key = key
        self.offset = offset
        self.params = params


@dataclass(frozen=True, slots=True)
class Num:
    value: Decimal
    percent: bool
    offset: int


@dataclass(frozen=True, slots=True)
class Name:
    name: str
    offset: int


@dataclass(frozen=True, slots=True)
class Text:
    """A quoted level name, compared with a level value."""

    value: str
    offset: int


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "-" | "not"
    operand: Node
    offset: int


@dataclass(frozen=True, slots=True)
class Binary:
    op: str  # + - * / < <= > >= == != and or
    left: Node
    right: Node
    offset: int


@dataclass(frozen=True, slots=True)
class Call:
    function: str
    args: tuple[Node, ...]
    offset: int


Node = Num | Name | Text | Unary | Binary | Call


def names(node: Node) -> list[Name]:
    """Every name the expression reads, in order of appearance."""
    if isinstance(node, Name):
        return [node]
    if isinstance(node, Unary):
        return names(node.operand)
    if isinstance(node, Binary):
        return names(node.left) + names(node.right)
    if isinstance(node, Call):
        return [n for a in node.args for n in names(a)]
    return []


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # num | name | text | op | end
    text: str
    offset: int


def _normal(ch: str) -> str:
    folded = unicodedata.normalize("NFKC", ch)
    return folded if len(folded) == 1 else ch


def _is_name_start(ch: str) -> bool:
    return ch == "_" or ch.isalpha()


def _is_name_part(ch: str) -> bool:
    return ch in "_." or ch.isalnum()


def tokens(text: str) -> list[_Token]:
    chars = [_normal(ch) for ch in text]
    out: list[_Token] = []
    i = 0
    while i < len(chars):
        ch = chars[i]
        if ch.isspace():
            i += 1
            continue
        start = i
        if ch.isdigit() or (ch == "." and i + 1 < len(chars) and chars[i + 1].isdigit()):
            while i < len(chars) and (chars[i].isdigit() or chars[i] == "."):
                i += 1
            if i < len(chars) and chars[i] == "%":
                i += 1
            out.append(_Token("num", "".join(chars[start:i]), start))
            continue
        if text[i] in _QUOTES:  # the raw character: full-width quotes fold to ASCII ones
            close = _QUOTES[text[i]]
            end = i + 1
            while end < len(chars) and text[end] != close:
                end += 1
            if end >= len(chars):
                raise ExprError("expr.unclosed_quote", start)
            value = unicodedata.normalize("NFKC", text[i + 1:end]).strip()
            if not value:
                raise ExprError("expr.empty_name", start)
            out.append(_Token("text", value, start))
            i = end + 1
            continue
        if ch == "[":
            end = i + 1
            while end < len(chars) and chars[end] != "]":
                end += 1
            if end >= len(chars):
                raise ExprError("expr.unclosed_bracket", start)
            name = "".join(chars[i + 1:end]).strip()
            if not name:
                raise ExprError("expr.empty_name", start)
            out.append(_Token("name", name, start))
            i = end + 1
            continue
        if _is_name_start(ch) and ch not in _WORDS:
            while i < len(chars) and _is_name_part(chars[i]) and not (i > start and chars[i] in ("且", "或")):
                i += 1
            word = "".join(chars[start:i])
            out.append(_Token("op" if word in _WORDS else "name", _WORDS.get(word, word), start))
            continue
        if ch in _WORDS:
            out.append(_Token("op", _WORDS[ch], start))
            i += 1
            continue
        two = "".join(chars[i:i + 2])
        if two in ("<=", ">=", "==", "!="):
            out.append(_Token("op", two, start))
            i += 2
            continue
        if ch in "+-*/(),<>" or ch in _OPERATORS:
            out.append(_Token("op", _OPERATORS.get(ch, ch), start))
            i += 1
            continue
        raise ExprError("expr.bad_character", start, character=ch)
    out.append(_Token("end", "", len(chars)))
    return out


class _Parser:
    """Recursive descent over the token list; precedence: or < and < not < comparison < + - < * /."""

    def __init__(self, text: str):
        self.tokens = tokens(text)
        self.at = 0
        self.depth = 0

    def peek(self) -> _Token:
        return self.tokens[self.at]

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def expect(self, text: str) -> _Token:
        token = self.peek()
        if token.kind != "op" or token.text != text:
            raise ExprError("expr.expected", token.offset, expected=text, got=token.text or "∎")
        return self.take()

    def nested(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError("expr.too_deep", self.peek().offset, limit=MAX_DEPTH)

    def parse(self) -> Node:
        node = self.disjunction()
        token = self.peek()
        if token.kind != "end":
            raise ExprError("expr.unexpected", token.offset, got=token.text)
        return node

    def disjunction(self) -> Node:
        node = self.conjunction()
        while self.peek().text == "or" and self.peek().kind == "op":
            token = self.take()
            node = Binary("or", node, self.conjunction(), token.offset)
        return node

    def conjunction(self) -> Node:
        node = self.negation()
        while self.peek().text == "and" and self.peek().kind == "op":
            token = self.take()
            node = Binary("and", node, self.negation(), token.offset)
        return node

    def negation(self) -> Node:
        token = self.peek()
        if token.kind == "op" and token.text == "not":
            self.take()
            self.nested()
            node = Unary("not", self.negation(), token.offset)
            self.depth -= 1
            return node
        return self.comparison()

    def comparison(self) -> Node:
        node = self.sum()
        token = self.peek()
        if token.kind == "op" and token.text in ("<", "<=", ">", ">=", "==", "!="):
            self.take()
            node = Binary(token.text, node, self.sum(), token.offset)
            after = self.peek()
            if after.kind == "op" and after.text in ("<", "<=", ">", ">=", "==", "!="):
                raise ExprError("expr.chained_comparison", after.offset)
        return node

    def sum(self) -> Node:
        node = self.product()
        while self.peek().kind == "op" and self.peek().text in ("+", "-"):
            token = self.take()
            node = Binary(token.text, node, self.product(), token.offset)
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.peek().kind == "op" and self.peek().text in ("*", "/"):
            token = self.take()
            node = Binary(token.text, node, self.unary(), token.offset)
        return node

    def unary(self) -> Node:
        token = self.peek()
        if token.kind == "op" and token.text in ("-", "+"):
            self.take()
            self.nested()
            operand = self.unary()
            self.depth -= 1
            return Unary("-", operand, token.offset) if token.text == "-" else operand
        return self.atom()

    def atom(self) -> Node:
        token = self.take()
        if token.kind == "num":
            return _number(token)
        if token.kind == "text":
            return Text(token.text, token.offset)
        if token.kind == "name":
            if self.peek().kind == "op" and self.peek().text == "(":
                return self.call(token)
            return Name(token.text, token.offset)
        if token.kind == "op" and token.text == "(":
            self.nested()
            node = self.disjunction()
            self.depth -= 1
            self.expect(")")
            return node
        raise ExprError("expr.expected_value", token.offset, got=token.text or "∎")

    def call(self, token: _Token) -> Node:
        function = token.text.lower()
        if function not in FUNCTIONS + PEER_FUNCTIONS:
            raise ExprError("expr.unknown_function", token.offset, name=token.text,
                            functions="、".join(FUNCTIONS + PEER_FUNCTIONS))
        self.expect("(")
        self.nested()
        args = [self.disjunction()]
        while self.peek().kind == "op" and self.peek().text == ",":
            self.take()
            args.append(self.disjunction())
        self.depth -= 1
        self.expect(")")
        wanted = {"abs": (1, 1), "if": (3, 3), "sum": (1, 1)}.get(function, (1, 1) if function in PEER_FUNCTIONS else (1, 99))
        if not wanted[0] <= len(args) <= wanted[1]:
            raise ExprError("expr.arguments", token.offset, name=function, count=len(args))
        if function in PEER_FUNCTIONS and not isinstance(args[0], Name):
            raise ExprError("expr.peer_needs_name", args[0].offset, name=function)
        return Call(function, tuple(args), token.offset)


def _number(token: _Token) -> Num:
    text = token.text
    percent = text.endswith("%")
    digits = text[:-1] if percent else text
    if digits.count(".") > 1 or digits.endswith("."):
        raise ExprError("expr.bad_number", token.offset, text=text)
    value = Decimal(digits)
    if not in_range(value):
        raise ExprError("expr.bad_number", token.offset, text=text)
    return Num(div(value, 100) if percent else value, percent, token.offset)  # type: ignore[arg-type]


def parse(text: str) -> Node:
    """The expression's tree; raises ExprError at the offending offset."""
    if not text.strip():
        raise ExprError("expr.empty", 0)
    return _Parser(text).parse()


# --- types ----------------------------------------------------------------------------------

NUMERIC = ("count", "number", "rate")


@dataclass(frozen=True, slots=True)
class Type:
    """What an expression gives: a kind (count: a whole number; number; rate: a number shown as a
    percentage; bool) and, for a series, the labels of its elements."""

    kind: str
    labels: tuple[str, ...] | None = None
    choices: tuple[str, ...] | None = None
    """A level's names (what a quoted text compared with it may be)."""

    @property
    def series(self) -> bool:
        return self.labels is not None

    def __str__(self) -> str:
        return self.kind if self.labels is None else f"{self.kind}[{'、'.join(self.labels)}]"


def _join(kinds: list[str]) -> str:
    if all(k == "count" for k in kinds):
        return "count"
    if all(k == "rate" for k in kinds):
        return "rate"
    return "number"


def _labels(node: Node, types: list[Type]) -> tuple[str, ...] | None:
    series = [t.labels for t in types if t.labels is not None]
    if not series:
        return None
    if any(labels != series[0] for labels in series):
        raise ExprError("expr.series_mismatch", node.offset)
    return series[0]


def infer(node: Node, typeof: dict[str, Type]) -> Type:
    """The type of `node`, the names' types given by `typeof`; raises ExprError (unknown names are
    reported by the caller, which knows the names to suggest)."""
    if isinstance(node, Num):
        if node.percent:
            return Type("rate")
        return Type("count" if node.value == node.value.to_integral_value() else "number")
    if isinstance(node, Name):
        return typeof[node.name]
    if isinstance(node, Text):
        return Type("text")
    if isinstance(node, Unary):
        inner = infer(node.operand, typeof)
        if node.op == "not":
            _want_bool(node.operand, inner)
            return inner
        _want_number(node.operand, inner)
        return inner
    if isinstance(node, Binary):
        left, right = infer(node.left, typeof), infer(node.right, typeof)
        labels = _labels(node, [left, right])
        if node.op in ("and", "or"):
            _want_bool(node.left, left)
            _want_bool(node.right, right)
            return Type("bool", labels)
        if node.op in ("==", "!=") and "text" in (left.kind, right.kind):
            _level_text(node, left, right)
            return Type("bool", labels)
        if node.op in ("==", "!="):
            if (left.kind == "bool") != (right.kind == "bool"):
                raise ExprError("expr.compare_kinds", node.offset, left=str(left), right=str(right))
            return Type("bool", labels)
        _want_number(node.left, left)
        _want_number(node.right, right)
        if node.op in ("<", "<=", ">", ">="):
            return Type("bool", labels)
        if node.op == "/":
            return Type("number", labels)
        if node.op == "*":
            kinds = [left.kind, right.kind]
            kind = "count" if kinds == ["count", "count"] else ("rate" if kinds == ["rate", "rate"] else "number")
            return Type(kind, labels)
        return Type(_join([left.kind, right.kind]), labels)
    assert isinstance(node, Call)
    args = [infer(a, typeof) for a in node.args]
    if node.function in PEER_FUNCTIONS:
        _want_number(node.args[0], args[0])
        if args[0].series:
            raise ExprError("expr.peer_series", node.offset, name=node.function)
        if node.function == "place_of":
            return Type("count")
        if node.function == "mean_of":
            return Type("rate" if args[0].kind == "rate" else "number")
        return Type(args[0].kind)
    if node.function == "if":
        _want_bool(node.args[0], args[0])
        then, other = args[1], args[2]
        labels = _labels(node, args)
        if (then.kind == "bool") != (other.kind == "bool"):
            raise ExprError("expr.compare_kinds", node.offset, left=str(then), right=str(other))
        return Type("bool" if then.kind == "bool" else _join([then.kind, other.kind]), labels)
    for a, t in zip(node.args, args, strict=True):
        _want_number(a, t)
    if node.function == "abs":
        return args[0]
    if len(args) == 1:  # sum, min, max of a series: one number
        if not args[0].series:
            raise ExprError("expr.not_series", node.offset, name=node.function)
        return Type(args[0].kind)
    return Type(_join([t.kind for t in args]), _labels(node, args))


def _level_text(node: Binary, left: Type, right: Type) -> None:
    """A quoted text compared with a level, and one of its names."""
    text, level = (node.left, right) if isinstance(node.left, Text) else (node.right, left)
    assert isinstance(text, Text)
    if level.kind != "level":
        raise ExprError("expr.text_needs_level", text.offset, value=text.value, got=str(level))
    if level.choices is not None and text.value not in level.choices:
        raise ExprError("expr.not_a_choice", text.offset, value=text.value, choices="、".join(level.choices))


def _want_number(node: Node, t: Type) -> None:
    if t.kind not in NUMERIC:
        raise ExprError("expr.want_number", node.offset, got=str(t))


def _want_bool(node: Node, t: Type) -> None:
    if t.kind != "bool":
        raise ExprError("expr.want_bool", node.offset, got=str(t))


def show(node: Node) -> str:
    """The expression written back, as the trace shows it (× ÷ ≤ ≥ ≠, names as written)."""
    if isinstance(node, Num):
        from kaohe.numbers import fmt

        return f"{fmt(node.value * 100)}%" if node.percent else fmt(node.value)
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Text):
        return f"“{node.value}”"
    if isinstance(node, Unary):
        return f"-{_wrapped(node.operand, node)}" if node.op == "-" else f"非 {_wrapped(node.operand, node)}"
    if isinstance(node, Binary):
        symbol = {"*": "×", "/": "÷", "<=": "≤", ">=": "≥", "!=": "≠", "==": "=", "and": "且", "or": "或"}.get(
            node.op, node.op)
        return f"{_wrapped(node.left, node)} {symbol} {_wrapped(node.right, node, right=True)}"
    return f"{node.function}({', '.join(show(a) for a in node.args)})"


_PRECEDENCE = {"or": 1, "and": 2, "not": 3, "<": 4, "<=": 4, ">": 4, ">=": 4, "==": 4, "!=": 4,
               "+": 5, "-": 5, "*": 6, "/": 6}


def _wrapped(child: Node, parent: Unary | Binary, right: bool = False) -> str:
    text = show(child)
    if isinstance(parent, Unary):
        wrap = isinstance(child, Binary) and (parent.op == "-" or child.op in ("and", "or"))
        return f"({text})" if wrap else text
    if isinstance(child, Binary):
        mine, theirs = _PRECEDENCE[parent.op], _PRECEDENCE[child.op]
        if theirs < mine or (right and theirs == mine and parent.op in ("-", "/")):
            return f"({text})"
    return text
