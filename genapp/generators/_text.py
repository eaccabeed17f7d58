"""Small shared helpers: keyword matching, random picks, Markdown and prose helpers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from random import Random
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


class Matcher:
    """Find table values whose keywords occur in a free-text prompt.

    ``table`` maps a value to its keywords. A keyword matches whole words,
    case-insensitively; a trailing ``*`` makes it a prefix (``dwar*`` matches
    dwarf, dwarven, dwarves); spaces match any run of spaces or hyphens; an
    apostrophe matches a straight or curly one, or none ("ship's", "ships").
    Where keywords start at the same place, the longest wins ("witch hunter"
    over "witch").
    """

    __slots__ = ("_rx", "_values", "_groups")

    def __init__(self, table: Mapping[str, Iterable[str]]):
        self._values: list[str] = list(table)
        keyed = [(k, i) for i, keywords in enumerate(table.values()) for k in keywords]
        keyed.sort(key=lambda ki: -len(ki[0].rstrip("*")))  # stable: table order among equals
        self._groups = [i for _, i in keyed]
        # alternatives grouped by first letter behind a lookahead: the engine tries only the few that can match
        by_first: dict[str, list[str]] = {}
        for j, (k, _) in enumerate(keyed):
            by_first.setdefault(k[:1].lower(), []).append(f"(?P<k{j}>{_keyword_rx(k)})")
        parts = [f"(?={re.escape(c)})(?:{'|'.join(alts)})" for c, alts in by_first.items()]
        self._rx = re.compile(r"\b(?:" + "|".join(parts) + ")", re.IGNORECASE)

    def all(self, text: str) -> tuple[str, ...]:
        """Matching values, in order of first appearance in the text, without repeats."""
        if not text:
            return ()
        out: list[str] = []
        for m in self._rx.finditer(text):
            v = self._values[self._groups[int(m.lastgroup[1:])]]
            if v not in out:
                out.append(v)
        return tuple(out)

    def finditer(self, text: str) -> Iterable[re.Match]:
        return self._rx.finditer(text)

    def sub(self, repl: Any, text: str) -> str:
        """``re.sub`` with this matcher's pattern (``repl`` gets each match)."""
        return self._rx.sub(repl, text)

    def first(self, text: str) -> str | None:
        if not text:
            return None
        m = self._rx.search(text)
        return self._values[self._groups[int(m.lastgroup[1:])]] if m else None


def _keyword_rx(keyword: str) -> str:
    prefix = keyword.endswith("*")
    words = keyword.rstrip("*").split()
    body = r"[\s\-]+".join(re.escape(w) for w in words).replace("'", "['\u2019]?")
    return body + (r"\w*" if prefix else r"\b")


class FormBase(BaseModel):
    """Base of the form models: blank values fall back to defaults, choices are case-insensitive."""

    model_config = ConfigDict(str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            clean = {}
            for k, v in data.items():
                if v is None or (isinstance(v, str) and not v.strip()):
                    continue  # blank field in a form: use the default ("any"/random)
                if isinstance(v, str):
                    v = v.strip()
                    if not v.lstrip("+-").isdigit():
                        v = v.lower().replace("_", " ") if " " in v or "_" in v else v.lower()
                clean[k] = v
            return clean
        return data


def pick(rng: Random, seq: Sequence[Any]) -> Any:
    return seq[int(rng.random() * len(seq))]


def sample(rng: Random, seq: Sequence[Any], k: int) -> list[Any]:
    """k distinct items of seq in random order (Random.sample's job, quicker for a few of many)."""
    n = len(seq)
    r = rng.random
    if k * 3 > n:  # a good share of a small pool: the first k steps of a shuffle
        pool = list(seq)
        for i in range(k):
            j = i + int(r() * (n - i))
            pool[i], pool[j] = pool[j], pool[i]
        return pool[:k]
    taken: list[int] = []
    while len(taken) < k:
        i = int(r() * n)
        if i not in taken:
            taken.append(i)
    return [seq[i] for i in taken]


def article(word: str) -> str:
    """'a' or 'an' for the word (simple English heuristic)."""
    w = word.lower()
    if w.startswith(("uni", "use", "eu", "one", "ur")) and not w.startswith(("und", "unu")):
        return "a"
    if w.startswith(("hour", "honest", "heir", "honou")):
        return "an"
    return "an" if w[:1] in "aeiou" else "a"


def a(word: str) -> str:
    return f"{article(word)} {word}"


def cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def mid(name: str) -> str:
    """A proper name as it reads mid-sentence: 'The Shattered Marches' -> 'the Shattered Marches'."""
    return "the" + name[3:] if name.startswith("The ") else name


def titlecase(s: str) -> str:
    small = {"of", "the", "and", "in", "on", "at", "a", "an", "to", "for", "by", "from", "under", "beneath", "over",
             "through", "into", "with"}
    words = s.split(" ")
    out = []
    for i, w in enumerate(words):
        if i and w.lower() in small:
            out.append(w.lower())
        elif "-" in w:
            out.append("-".join(p[:1].upper() + p[1:] for p in w.split("-")))
        else:
            out.append(w[:1].upper() + w[1:])
    return " ".join(out)


def join_words(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(items)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def signed(n: int) -> str:
    return f"+{n}" if n >= 0 else str(n)


def modifier(score: int) -> int:
    return (score - 10) // 2


def bullets(items: Iterable[str]) -> str:
    return "\n".join(f"- {i}" for i in items)


def md_escape_cell(s: str) -> str:
    return s.replace("|", "\\|")


def gp(n: int) -> str:
    return f"{n:,} gp"


# BaseModel's own slots, set through their descriptors (quicker than object.__setattr__ by name)
_SLOTS = BaseModel.__dict__
_set_dict = _SLOTS["__dict__"].__set__
_set_fields_set = _SLOTS["__pydantic_fields_set__"].__set__
_set_extra = _SLOTS["__pydantic_extra__"].__set__
_set_private = _SLOTS["__pydantic_private__"].__set__
_new = object.__new__


def _fast_construct(cls: type[BaseModel], values: dict[str, Any]) -> BaseModel:
    # What BaseModel.model_construct does for a plain model given every field, minus its per-field loop.
    m = _new(cls)
    _set_dict(m, values)
    _set_fields_set(m, set(values))
    _set_extra(m, None)
    _set_private(m, None)
    return m


def _check_fast_construct() -> bool:
    class _Probe(BaseModel):
        a: int
        b: list[str]

    try:
        fast = _fast_construct(_Probe, {"a": 1, "b": ["x"]})
        ref = _Probe.model_construct(a=1, b=["x"])
        return fast == ref and fast.model_dump() == ref.model_dump() and _Probe.model_validate(fast.model_dump()) == ref
    except Exception:  # pragma: no cover - only if pydantic internals change
        return False


_FAST_OK = _check_fast_construct()
_N_FIELDS: dict[type, int] = {}


def construct(cls: type[BaseModel], **values: Any) -> Any:
    """Build a model from trusted values without validation (fast path of model_construct).

    Every field of ``cls`` must be given. Falls back to ``model_construct`` if the
    installed pydantic does not behave as expected.
    """
    n = _N_FIELDS.get(cls)
    if n is None:
        n = _N_FIELDS[cls] = len(cls.model_fields)
    if _FAST_OK and len(values) == n:
        return _fast_construct(cls, values)
    return cls.model_construct(**values)


class Lazy(dict):
    """A format_map() context whose missing keys are computed on first use by factories.

    Only the placeholders a template really uses consume randomness, so building stays
    cheap and still deterministic (templates are fixed text).
    """

    __slots__ = ("_factories",)

    def __init__(self, factories: Mapping[str, Any], **values: Any):
        super().__init__(values)
        self._factories = factories

    def __missing__(self, key: str) -> Any:
        value = self._factories[key]()
        self[key] = value
        return value

    def close(self) -> None:
        """Drop the factories: factories that read the context make a reference cycle, left to the slow GC."""
        self._factories = {}
