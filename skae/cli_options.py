"""``skae fit``'s estimator options, generated from `AutoencoderReducer` itself.

This module owns the mapping from the estimator's parameters to command-line options:
one ``--kebab-case`` option per parameter of ``AutoencoderReducer._parameter_constraints``
that a shell can give, read and checked by that parameter's own constraints, with the
first sentence of its docstring entry and its default (an "auto" default spelled out
from `skae.spec.AUTO_SETTINGS`) as its help. A parameter added to the estimator becomes
an option without editing `skae.cli`, which adds only what the command owns itself.
"""

import argparse
import inspect
import re
from dataclasses import dataclass
from numbers import Integral

from ._sklearn import Interval, StrOptions
from .estimator import AutoencoderReducer
from .spec import AUTO_SETTINGS, INFONCE_FEW_EPOCHS_MIN_ROWS, WIDE_CODE_MIN_COMPONENTS

__all__ = ["add_param_options", "params_from_args", "parameter_descriptions"]

# How the help names AUTO_SETTINGS' profiles; a profile not listed goes by its own name.
_PROFILE_NAMES = {
    "tabular": "tables",
    "umap": "neighbour maps",
    "infonce": "InfoNCE maps",
    "infonce_dense": "dense InfoNCE maps",
    "infonce_many_rows": f"InfoNCE maps of {INFONCE_FEW_EPOCHS_MIN_ROWS}+ rows",
    "infonce_dense_many_rows": (
        f"dense InfoNCE maps of {INFONCE_FEW_EPOCHS_MIN_ROWS}+ rows"
    ),
    "wide_code": f"dense codes of {WIDE_CODE_MIN_COMPONENTS}+ components",
}
# "auto" settings that apply to data in [0, 1] only, as `skae.spec.resolve_spec` reads
# noise; elsewhere they are 0.
_UNIT_INTERVAL_ONLY = frozenset({"noise"})
# "auto" settings that apply where the backend computes bfloat16 natively only, as
# `skae.spec.resolve_spec` reads dtype_policy; elsewhere they are float32.
_NATIVE_BFLOAT16_ONLY = frozenset({"dtype_policy"})


@dataclass(frozen=True)
class _Reader:
    """One constraint's reading of a shell word: ``read`` raises ValueError if refused."""

    read: object  # str -> value
    expected: str  # for the error message: "an int in the range [1, inf)"
    metavar: str | None = None
    hint: str = ""  # how to write the value, for the help


def _options_reader(constraint: StrOptions) -> _Reader:
    def read(text):
        if text not in constraint.options:
            raise ValueError(text)
        return text

    options = sorted(constraint.options)
    metavar = "{" + ",".join(options) + "}"
    return _Reader(read, " or ".join(repr(option) for option in options), metavar)


def _interval_reader(constraint: Interval) -> _Reader:
    integral = constraint.type is Integral
    number = int if integral else float

    def read(text):
        value = number(text)
        if not constraint.is_satisfied_by(value):
            raise ValueError(text)
        return value

    return _Reader(read, str(constraint), "N" if integral else "X")


def _ints(text: str, *, positive: bool, empty_ok: bool) -> tuple[int, ...]:
    if not text.strip() and empty_ok:
        return ()
    values = tuple(int(part) for part in text.split(","))
    if positive and min(values) < 1:
        raise ValueError(text)
    return values


# The string constraints and types a shell can give ("array-like" parameters are widths,
# tuple or list ones sizes such as input_shape's, where -1 is inferred).
_NAMED_READERS = {
    "array-like": _Reader(
        lambda text: _ints(text, positive=True, empty_ok=True),
        "comma-separated positive ints",
        "SIZES",
        'Comma-separated ("" for none).',
    ),
    "random_state": _Reader(int, "an int", "SEED"),
    tuple: _Reader(
        lambda text: _ints(text, positive=False, empty_ok=False),
        "comma-separated ints",
        "INTS",
        "Comma-separated.",
    ),
}
_NAMED_READERS[list] = _NAMED_READERS[tuple]

# What "none" parses to: a left-out option's value is None, so None itself cannot say
# that the option was given (`params_from_args` turns this back into None).
_GIVEN_NONE = object()


def _read_none(text: str):
    if text != "none":
        raise ValueError(text)
    return _GIVEN_NONE


_NONE_READER = _Reader(_read_none, "'none'", hint='"none" for None.')


def _reader(constraint) -> _Reader | None:
    """How a shell word satisfies ``constraint``; None when it cannot (callables)."""
    if isinstance(constraint, StrOptions):
        return _options_reader(constraint)
    if isinstance(constraint, Interval):
        return _interval_reader(constraint)
    return _NAMED_READERS.get(constraint)


def _value_type(readers: list[_Reader]):
    def parse(text: str):
        for reader in readers:
            try:
                return reader.read(text)
            except ValueError:
                pass
        expected = " or ".join(reader.expected for reader in readers)
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")

    return parse


def _option_kwargs(constraints: list) -> dict | None:
    """`add_argument` keywords that read a parameter with ``constraints``, or None."""
    # Once each: tuple and list share one reader.
    readers = [reader for reader in dict.fromkeys(map(_reader, constraints)) if reader]
    if not readers:
        if "boolean" in constraints:
            return {"action": argparse.BooleanOptionalAction}
        return None
    metavar = next((reader.metavar for reader in readers if reader.metavar), None)
    if None in constraints:  # beside values a shell can give (not callables alone)
        readers.append(_NONE_READER)
        if metavar and metavar.startswith("{"):  # a choice among words: "none" is one more
            metavar = metavar[:-1] + ",none}"
    if all(isinstance(constraint, StrOptions) for constraint in constraints):
        return {"choices": sorted(set().union(*(c.options for c in constraints)))}
    return {
        "type": _value_type(readers),
        "metavar": metavar,
        # not an argparse keyword: add_param_options puts it in the help
        "hint": " ".join(reader.hint for reader in readers if reader.hint),
    }


def parameter_descriptions(estimator=AutoencoderReducer) -> dict[str, str]:
    """The first sentence of each entry of the class docstring's Parameters section.

    A numpydoc entry is a line ``name : type`` (or ``first, second : type``) followed by
    indented lines; the section ends at the first unindented line without `` : ``.
    """
    lines = inspect.cleandoc(estimator.__doc__ or "").splitlines()
    if "Parameters" not in lines:
        return {}
    entries, names = {}, []
    for line in lines[lines.index("Parameters") + 2 :]:
        if line.startswith(" ") or not line:
            for name in names:
                entries[name] += " " + line.strip()
        elif " : " in line:
            names = [name.strip() for name in line.split(" : ")[0].split(",")]
            entries.update(dict.fromkeys(names, ""))
        else:  # the next section's title
            break
    return {name: _first_sentence(text) for name, text in entries.items()}


def _first_sentence(text: str) -> str:
    match = re.match(r"\s*(.*?\.)(?:\s|$)", text)
    return match.group(1) if match else text.strip()


def _plain(text: str, offered) -> str:
    """Docstring markup as help: ```name``` of an option becomes ``--name``."""

    def literal(match):
        content = match.group(1) or match.group(2)
        return _option(content) if content in offered else content

    return re.sub(r"``(.+?)``|`([^`]+)`", literal, text)


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


def _shown(value) -> str:
    """A value as it is typed in the shell: ``256,128,64``, ``0.001``."""
    if isinstance(value, tuple | list):
        return ",".join(str(item) for item in value) or "none"
    if isinstance(value, float):
        return f"{value:g}"
    if value is None:
        return "none"
    return str(value)


def _auto_meaning(name: str) -> str:
    """``"0.001 for dense, 0.0003 for tables, 0.003 for conv"`` from AUTO_SETTINGS."""
    by_value: dict[str, list[str]] = {}
    for profile, settings in AUTO_SETTINGS.items():
        if name in settings:
            label = _PROFILE_NAMES.get(profile, profile)
            by_value.setdefault(_shown(settings[name]), []).append(label)
    meaning = ", ".join(
        f"{value} for {' and '.join(profiles)}" for value, profiles in by_value.items()
    )
    if meaning and name in _UNIT_INTERVAL_ONLY:
        meaning += "; 0 for data not in [0, 1]"
    if meaning and name in _NATIVE_BFLOAT16_ONLY:
        meaning += "; float32 where the backend does not compute bfloat16 natively"
    if meaning and name == "pca_components":
        # as `skae.spec` reads it: a projection must be narrower than the rows
        meaning += "; none for rows of no more features than that"
    return meaning


def _default_text(name: str, defaults: dict) -> str:
    if name not in defaults:
        return ""
    value = defaults[name]
    if isinstance(value, str) and value == "auto" and _auto_meaning(name):
        return f"Default: auto ({_auto_meaning(name)})."
    return f"Default: {_shown(value)}."


def add_param_options(parser: argparse.ArgumentParser, exclude=()) -> tuple[str, ...]:
    """Add one option per parameter a shell can give, except ``exclude``; their names.

    Each option's destination is the parameter's name, None when the option is left
    out (see `params_from_args`). Parameters whose constraints a shell word cannot
    satisfy (callables) get no option.
    """
    constraints = AutoencoderReducer._parameter_constraints
    defaults = AutoencoderReducer().get_params(deep=False)
    descriptions = parameter_descriptions()
    offered = {}
    for name in constraints:
        if name not in exclude and (kwargs := _option_kwargs(constraints[name])):
            offered[name] = kwargs
    for name, kwargs in offered.items():
        hint = kwargs.pop("hint", "")
        parts = [descriptions.get(name, ""), hint, _default_text(name, defaults)]
        help_text = _plain(" ".join(part for part in parts if part), offered)
        parser.add_argument(
            _option(name),
            dest=name,
            default=None,
            help=help_text.replace("%", "%%"),
            **kwargs,
        )
    return tuple(offered)


def params_from_args(args: argparse.Namespace) -> dict:
    """The estimator's parameters among ``args`` that were given (not None); "none"
    gives None."""
    given = vars(args)
    return {
        name: None if given[name] is _GIVEN_NONE else given[name]
        for name in AutoencoderReducer._parameter_constraints
        if given.get(name) is not None
    }
