"""Run configuration: the contract's rules, slot kinds, score weights and solver settings.

The defaults live in ``defaults.toml`` beside this module; a municipality's ``rules.toml`` overrides
any key. Slot kinds are data, so a new kind such as ``introduktionsjobb`` needs no code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matching.exceptions import ConfigError

DEFAULTS_PATH = Path(__file__).with_name("defaults.toml")

#: Participant flags a kind may require (``requires_any``).
ELIGIBILITY_FLAGS = frozenset({"long_term_unemployed", "newly_arrived", "disability"})

_KIND_KEYS = {
    "ama": bool,
    "supervised": bool,
    "requires_any": list,
    "min_age": int,
    "max_age": int,
    "aterbruk": bool,
    "blocks_new": bool,
    "time_limited_praktik": bool,
}


@dataclass(frozen=True)
class KindRule:
    """What the rules say about one slot kind."""

    name: str
    ama: bool = False
    supervised: bool = True
    requires_any: tuple[str, ...] = ()
    min_age: int = 16
    max_age: int = 64
    aterbruk: bool = False
    blocks_new: bool = True
    time_limited_praktik: bool = False


@dataclass(frozen=True)
class RunSettings:
    """How a proposal run builds candidates and what it optimises."""

    top_k_per_participant: int = 80
    top_k_per_slot_extra: int = 40
    maximize_placements: bool = True


@dataclass(frozen=True)
class Rules:
    """Every setting a run reads. Build with :func:`load_rules`."""

    aterbruk_max_days: int
    ama_max_days: int
    staff_cut_quarantine_days: int
    max_per_supervisor: int
    private_praktik_max_weeks: int
    kinds: dict[str, KindRule]
    weights: dict[str, float]
    run: RunSettings = field(default_factory=RunSettings)

    @property
    def kind_names(self) -> list[str]:
        """The kinds a slot or placement may have, in config order."""
        return list(self.kinds)


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _int(raw: dict[str, Any], key: str, where: str, minimum: int = 0) -> int:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        msg = f"{where}: '{key}' must be an integer >= {minimum}, got {value!r}"
        raise ConfigError(msg)
    return value


def _kind(name: str, raw: Any, where: str) -> KindRule:
    if not isinstance(raw, dict):
        msg = f"{where}: [kinds.{name}] must be a table"
        raise ConfigError(msg)
    for key, value in raw.items():
        expected = _KIND_KEYS.get(key)
        if expected is None:
            msg = f"{where}: [kinds.{name}] has unknown key '{key}' (known: {sorted(_KIND_KEYS)})"
            raise ConfigError(msg)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            msg = f"{where}: kinds.{name}.{key} must be {expected.__name__}, got {value!r}"
            raise ConfigError(msg)
    flags = tuple(raw.get("requires_any", ()))
    bad = [f for f in flags if f not in ELIGIBILITY_FLAGS]
    if bad:
        msg = (
            f"{where}: kinds.{name}.requires_any has unknown flag(s) {bad}; "
            f"allowed: {sorted(ELIGIBILITY_FLAGS)}"
        )
        raise ConfigError(msg)
    rule = KindRule(name=name, requires_any=flags, **{k: v for k, v in raw.items()
                                                       if k != "requires_any"})
    if not 0 <= rule.min_age <= rule.max_age:
        msg = f"{where}: kinds.{name}: need 0 <= min_age <= max_age"
        raise ConfigError(msg)
    return rule


def load_rules(path: Path | str | None = None) -> Rules:
    """Read the defaults and, when given, a ``rules.toml`` that overrides them.

    Parameters
    ----------
    path : path-like, optional
        A TOML file. Keys it does not name keep their defaults.

    Returns
    -------
    Rules

    Raises
    ------
    ConfigError
        The file is missing, is not TOML, or has a wrong key or value; the message names it.
    """
    with DEFAULTS_PATH.open("rb") as fh:
        raw = tomllib.load(fh)
    where = "rules defaults"
    if path is not None:
        where = str(path)
        try:
            with Path(path).open("rb") as fh:
                override = tomllib.load(fh)
        except FileNotFoundError:
            msg = f"{path}: no such rules file"
            raise ConfigError(msg) from None
        except tomllib.TOMLDecodeError as exc:
            msg = f"{path}: not valid TOML: {exc}"
            raise ConfigError(msg) from None
        known = {*raw, "kinds", "weights", "run"}
        unknown = sorted(set(override) - known)
        if unknown:
            msg = f"{path}: unknown key(s) {unknown}; known: {sorted(known)}"
            raise ConfigError(msg)
        raw = _deep_merge(raw, override)

    for section in ("kinds", "weights", "run"):
        if not isinstance(raw.get(section, {}), dict):
            msg = f"{where}: '{section}' must be a table ([{section}])"
            raise ConfigError(msg)
    kinds = {name: _kind(name, spec, where) for name, spec in raw.get("kinds", {}).items()}
    if not kinds:
        msg = f"{where}: no slot kinds configured"
        raise ConfigError(msg)
    weights_raw = raw.get("weights", {})
    weights: dict[str, float] = {}
    for key, value in weights_raw.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            msg = f"{where}: weights.{key} must be a number >= 0, got {value!r}"
            raise ConfigError(msg)
        weights[key] = float(value)
    if weights and sum(weights.values()) <= 0:
        msg = f"{where}: the weights sum to 0"
        raise ConfigError(msg)
    run_raw = raw.get("run", {})
    run_keys = {"top_k_per_participant", "top_k_per_slot_extra", "maximize_placements"}
    if set(run_raw) - run_keys:
        msg = f"{where}: [run] has unknown key(s) {sorted(set(run_raw) - run_keys)}"
        raise ConfigError(msg)
    maxp = run_raw.get("maximize_placements", True)
    if not isinstance(maxp, bool):
        msg = f"{where}: run.maximize_placements must be true or false"
        raise ConfigError(msg)
    run = RunSettings(
        top_k_per_participant=_int(run_raw, "top_k_per_participant", where, 1),
        top_k_per_slot_extra=_int(run_raw, "top_k_per_slot_extra", where, 0),
        maximize_placements=maxp,
    )
    return Rules(
        aterbruk_max_days=_int(raw, "aterbruk_max_days", where),
        ama_max_days=_int(raw, "ama_max_days", where),
        staff_cut_quarantine_days=_int(raw, "staff_cut_quarantine_days", where),
        max_per_supervisor=_int(raw, "max_per_supervisor", where),
        private_praktik_max_weeks=_int(raw, "private_praktik_max_weeks", where),
        kinds=kinds,
        weights=weights,
        run=run,
    )
