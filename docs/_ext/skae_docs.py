"""Sphinx helpers for skae's documentation.

- ``.. skae-command-line:: skae.cli:build_parser`` documents an `argparse` parser from
  the parser itself (usage, description, every option with its help, each subcommand),
  so that the command-line page never drifts from the code.
- In Markdown pages, a comment line ``<!-- benchmark-report: PATH | COMMAND -->``
  becomes an include of the Markdown report PATH (its images resolved next to it, its
  headings two levels down, so that its title comes under the page's section) and a
  download link to the ``results.csv`` beside it, when the report exists; otherwise a
  note saying which COMMAND produces it. The benchmark page uses it for results that
  the benchmark scripts write, so that it stays in step with them and builds before
  they exist.
- Every file a page includes from ``benchmarks/results/`` shows the reader's MNIST
  folder as ``DIR`` instead of the project's (`report_paths.for_readers`).
- Cross-references inside docstrings that classes inherit from scikit-learn (such as
  ``set_output``'s link to scikit-learn's own example) point into scikit-learn's
  documentation. Intersphinx resolves them when enabled; otherwise they are shown as
  plain text instead of failing the build.
"""

import argparse
import importlib
import re
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from report_paths import for_readers
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

__all__ = ["setup"]

_RST_SPECIAL = re.compile(r"([\\`*_|])")
_LITERAL = re.compile(r"(`[^`]+`|--[a-z][a-z0-9-]*)")
_BENCHMARK_REPORT = re.compile(
    r"^<!--\s*benchmark-report:\s*(?P<path>\S+)\s*\|\s*(?P<command>.+?)\s*-->\s*$",
    re.MULTILINE,
)


def _escape(text: str) -> str:
    """Help text as reStructuredText: ```code``` and ``--options`` become literals.

    Everything else is escaped, so that ``*`` and the like start no emphasis and the
    ``--`` of an option does not become a dash.
    """
    pieces = _LITERAL.split(text)
    return "".join(
        f"``{piece.strip('`')}``"
        if _LITERAL.fullmatch(piece)
        else _RST_SPECIAL.sub(r"\\\1", piece)
        for piece in pieces
    )


def _option_signature(action: argparse.Action) -> str:
    """``--name METAVAR`` (``{a,b}`` for choices; ``NAME`` for a positional argument)."""
    if not action.option_strings:
        return action.metavar or action.dest
    if action.nargs == 0:
        return ", ".join(action.option_strings)
    if action.metavar is not None:
        value = action.metavar
    elif action.choices is not None and not isinstance(action.choices, dict):
        value = "{" + ",".join(str(choice) for choice in action.choices) + "}"
    else:
        value = action.dest.upper()
    return ", ".join(f"{option} {value}" for option in action.option_strings)


def _help_text(parser: argparse.ArgumentParser, action: argparse.Action) -> str:
    formatter = parser._get_formatter()
    # Expands %(default)s and the like, as --help shows them.
    return formatter._expand_help(action) if action.help else ""


def _parser_lines(parser: argparse.ArgumentParser, program: str) -> list[str]:
    """reStructuredText for one parser: usage, description, options, epilog."""
    usage = parser.format_usage().strip()
    lines = [".. code-block:: text", ""]
    lines += [f"   {line}" for line in usage.splitlines()] + [""]
    if parser.description:
        lines += [_escape(parser.description), ""]
    lines += [f".. program:: {program}", ""]
    # Positional arguments first, as --help lists them.
    actions = sorted(
        (
            action
            for action in parser._actions
            if not isinstance(action, argparse._SubParsersAction)
            and action.help != argparse.SUPPRESS
        ),
        key=lambda action: bool(action.option_strings),
    )
    for action in actions:
        help_text = _escape(_help_text(parser, action))
        if action.required and action.option_strings:
            help_text += " (required)"
        lines += [f".. option:: {_option_signature(action)}", "", f"   {help_text}", ""]
    if parser.epilog:
        lines += [_escape(parser.epilog), ""]
    return lines


class CommandLineDirective(SphinxDirective):
    """Document an argparse parser and its subcommands, one section per subcommand."""

    required_arguments = 1  # "module:function" returning an ArgumentParser

    def run(self):
        module_name, _, function_name = self.arguments[0].partition(":")
        parser = getattr(importlib.import_module(module_name), function_name)()
        self.env.note_dependency(importlib.import_module(module_name).__file__)
        program = parser.prog
        lines = _parser_lines(parser, program)
        for action in parser._actions:
            if not isinstance(action, argparse._SubParsersAction):
                continue
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, subparser in action.choices.items():
                title = f"``{program} {name}``"
                lines += [title, "-" * len(title), ""]
                if helps.get(name):
                    lines += [_escape(helps[name][0].upper() + helps[name][1:]) + ".", ""]
                lines += _parser_lines(subparser, f"{program} {name}")
        container = nodes.section()
        nested_parse_with_titles(
            self.state, StringList(lines, self.arguments[0]), container
        )
        return container.children


def _benchmark_reports(app, docname, source):
    """Expand the ``<!-- benchmark-report: PATH | COMMAND -->`` lines of a page."""

    def replacement(match):
        relative = match.group("path")
        report = Path(app.env.doc2path(docname)).parent / relative
        if not report.is_file():
            return (
                f"```{{note}}\nNot produced yet: `{relative}` appears when "
                f"`{match.group('command')}` has run.\n```"
            )
        lines = [f"```{{include}} {relative}", ":relative-images:", ":heading-offset: 2"]
        lines += ["```", ""]
        if (report.parent / "results.csv").is_file():
            table = str(Path(relative).parent / "results.csv")
            lines.append(f"The table as CSV: {{download}}`results.csv <{table}>`.")
        return "\n".join(lines)

    source[0] = _BENCHMARK_REPORT.sub(replacement, source[0])


def _reports_for_readers(app, relative_path, parent_docname, content):
    """An included benchmark report with the reader's MNIST folder, not the project's."""
    if "benchmarks/results" in Path(relative_path).as_posix():
        content[0] = for_readers(content[0])


def _inherited_sklearn_reference(app, env, node, contnode):
    """Plain text for a label or term of scikit-learn's docs, in a docstring of its own."""
    in_sklearn_docstring = "docstring of sklearn." in (node.source or "")
    if in_sklearn_docstring and node.get("refdomain") == "std":
        return contnode
    return None


def setup(app):
    app.add_directive("skae-command-line", CommandLineDirective)
    app.connect("source-read", _benchmark_reports)
    app.connect("include-read", _reports_for_readers)
    # After intersphinx (priority 500), which links these when it is enabled.
    app.connect("missing-reference", _inherited_sklearn_reference, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
