"""Worst-case sizes of content models, read from their JSON schemas.

Every content model bounds its fields (string ``max_length``, list ``max_length``, integer
``ge``/``le``, ``Literal`` choices), so an LLM asked for one under schema-constrained decoding
cannot write forever, and the largest answer it can give is known in advance:

    from genapp.generators.bounds import max_json_chars
    max_json_chars(NpcContent)   # characters of the longest compact JSON an NpcContent can be

The figure is an upper bound on ``json.dumps(value, separators=(",", ":"), ensure_ascii=False)``
of any valid instance: every string at its ``maxLength`` plus its quotes, every array at
``maxItems``, every key present, every integer at its widest bound, every choice at its longest.
Escapes inside text (``\\"``, ``\\n``) are counted as one character each, as a model writes them
and a tokenizer reads them. ``unbounded(schema)`` lists what would make a schema unbounded.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

__all__ = ["max_json_chars", "schema_max_chars", "unbounded"]


def max_json_chars(model: type[BaseModel] | dict[str, Any]) -> int:
    """Upper bound on the compact JSON length of an instance of ``model`` (a model class or its schema).

    Raises ValueError naming the fields that have no bound.
    """
    if isinstance(model, dict):
        return schema_max_chars(model)
    return _cached(model)


@lru_cache(maxsize=256)
def _cached(model: type[BaseModel]) -> int:
    return schema_max_chars(model.model_json_schema())


def schema_max_chars(schema: dict[str, Any]) -> int:
    problems = unbounded(schema)
    if problems:
        raise ValueError("unbounded schema: " + "; ".join(problems[:10]))
    return _Walker(schema).size(schema, 0)


def unbounded(schema: dict[str, Any]) -> list[str]:
    """Where a JSON schema lets a value grow without limit, as "path: reason" strings (empty when bounded).

    A string needs ``maxLength`` (or an enum/const), an array ``maxItems``, an integer or number both
    ``minimum`` and ``maximum``, an object named properties only (no open ``additionalProperties``).
    """
    out: list[str] = []
    _Walker(schema).check(schema, "$", out, 0)
    return out


_MAX_DEPTH = 40  # deeper than any content model; stops a recursive schema


class _Walker:
    def __init__(self, root: dict[str, Any]):
        self.defs = root.get("$defs") or root.get("definitions") or {}

    def resolve(self, node: Any) -> dict[str, Any]:
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            name = ref.rsplit("/", 1)[-1]
            if name not in self.defs:
                raise ValueError(f"unresolvable $ref {ref!r}")
            extra = {k: v for k, v in node.items() if k != "$ref"}
            node = {**self.defs[name], **extra}
        if isinstance(node, dict) and "allOf" in node and len(node["allOf"]) == 1:
            extra = {k: v for k, v in node.items() if k != "allOf"}
            return self.resolve({**self.resolve(node["allOf"][0]), **extra})
        return node if isinstance(node, dict) else {}

    @staticmethod
    def kinds(node: dict[str, Any]) -> list[str]:
        t = node.get("type")
        if t is None:
            return []
        return list(t) if isinstance(t, list) else [t]

    # ----- the bound -----------------------------------------------------------------------

    def size(self, node: Any, depth: int) -> int:
        node = self.resolve(node)
        if depth > _MAX_DEPTH:
            raise ValueError("schema nests too deeply (recursive?)")
        if "const" in node:
            return len(json.dumps(node["const"], ensure_ascii=False, separators=(",", ":")))
        if "enum" in node:
            return max(len(json.dumps(v, ensure_ascii=False, separators=(",", ":"))) for v in node["enum"])
        for key in ("anyOf", "oneOf"):
            if key in node:
                return max(self.size(branch, depth + 1) for branch in node[key])
        kinds = self.kinds(node)
        if len(kinds) > 1:
            return max(self.size({**node, "type": k}, depth) for k in kinds)
        kind = kinds[0] if kinds else ("object" if "properties" in node else None)
        if kind == "string":
            return int(node["maxLength"]) + 2
        if kind == "integer":
            return max(len(str(int(node["minimum"]))), len(str(int(node["maximum"]))))
        if kind == "number":
            return max(len(repr(float(node["minimum"]))), len(repr(float(node["maximum"])))) + 16
        if kind == "boolean":
            return 5  # false
        if kind == "null":
            return 4
        if kind == "array":
            return self._array(node, depth)
        if kind == "object":
            props = node.get("properties") or {}
            if not props:
                return 2
            keys = sum(len(json.dumps(k, ensure_ascii=False)) + 1 for k in props)
            values = sum(self.size(v, depth + 1) for v in props.values())
            return 2 + keys + values + (len(props) - 1)
        raise ValueError(f"no bound for a schema of type {kind!r}")

    def _array(self, node: dict[str, Any], depth: int) -> int:
        n = int(node["maxItems"])
        if n == 0:
            return 2
        prefix = node.get("prefixItems") or []
        items = node.get("items")
        sizes = [self.size(p, depth + 1) for p in prefix[:n]]
        if len(sizes) < n and isinstance(items, dict):
            sizes += [self.size(items, depth + 1)] * (n - len(sizes))
        return 2 + sum(sizes) + max(0, len(sizes) - 1)

    # ----- what is unbounded ---------------------------------------------------------------

    def check(self, node: Any, path: str, out: list[str], depth: int) -> None:
        node = self.resolve(node)
        if depth > _MAX_DEPTH:
            out.append(f"{path}: nests too deeply (recursive?)")
            return
        if "const" in node or "enum" in node:
            return
        for key in ("anyOf", "oneOf"):
            if key in node:
                for i, branch in enumerate(node[key]):
                    self.check(branch, f"{path}<{i}>", out, depth + 1)
                return
        kinds = self.kinds(node)
        if not kinds:
            if "properties" in node:
                kinds = ["object"]
            else:
                out.append(f"{path}: no type (any value)")
                return
        for kind in kinds:
            if kind == "string" and "maxLength" not in node:
                out.append(f"{path}: string without maxLength")
            elif kind in ("integer", "number") and ("minimum" not in node or "maximum" not in node):
                out.append(f"{path}: {kind} without minimum and maximum")
            elif kind == "array":
                if "maxItems" not in node:
                    out.append(f"{path}: array without maxItems")
                for i, p in enumerate(node.get("prefixItems") or []):
                    self.check(p, f"{path}[{i}]", out, depth + 1)
                if isinstance(node.get("items"), dict):
                    self.check(node["items"], f"{path}[]", out, depth + 1)
            elif kind == "object":
                extra = node.get("additionalProperties")
                if extra is not None and extra is not False:
                    out.append(f"{path}: object open to extra keys (additionalProperties)")
                for k, v in (node.get("properties") or {}).items():
                    self.check(v, f"{path}.{k}", out, depth + 1)
