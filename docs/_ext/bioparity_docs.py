"""Sphinx extension of the bioparity documentation.

``runpython``
    Executes a tutorial's code block when the documentation builds and shows the code and what it
    printed. The blocks of one page share a namespace and run in a fresh temporary directory, so a
    page is a script executed top to bottom. Any exception (a failed ``assert`` on a quoted
    reference value, an API that changed) stops the build with the page, block and traceback.

``bioparity-cli``
    The reference of every ``bioparity`` command, generated from the Typer app (usage, help text,
    arguments and options with their defaults), so it cannot drift from the code.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import traceback
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective


class RunPython(SphinxDirective):
    """Execute the block; show the code and its printed output."""

    has_content = True
    option_spec: ClassVar[dict[str, Any]] = {"hide-code": directives.flag, "hide-output": directives.flag}

    def run(self) -> list[nodes.Node]:
        code = "\n".join(self.content)
        state = self.env.temp_data.setdefault("runpython", {})
        if "dir" not in state:  # first block of this page
            state["tmp"] = tempfile.TemporaryDirectory(prefix="bioparity-docs-")
            state["dir"] = state["tmp"].name
            state["ns"] = {"__name__": f"tutorial_{self.env.docname.replace('/', '_')}"}
            state["count"] = 0
        state["count"] += 1
        out = io.StringIO()
        cwd = os.getcwd()
        try:
            os.chdir(state["dir"])
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                exec(compile(code, f"<{self.env.docname} block {state['count']}>", "exec"), state["ns"])
        except BaseException as exc:  # SystemExit from a CLI call is a failure too
            raise ExtensionError(
                f"{self.env.docname}.md, line {self.lineno}: tutorial block {state['count']} failed:\n"
                f"{''.join(traceback.format_exception(exc))}\nprinted before the failure:\n{out.getvalue()}"
            ) from None
        finally:
            os.chdir(cwd)
        result: list[nodes.Node] = []
        if "hide-code" not in self.options:
            block = nodes.literal_block(code, code, language="python")
            result.append(block)
        text = out.getvalue().rstrip()
        if text and "hide-output" not in self.options:
            result.append(nodes.literal_block(text, text, classes=["runpython-output"], language="none"))
        return result


def _default(param: Any) -> str:
    default = param.default
    if default is None or callable(default) or param.required:
        return ""
    if isinstance(default, bool) and getattr(param, "is_flag", False):
        return ""
    if isinstance(default, (list, tuple)):
        return "" if not default else f" (default: ``{' '.join(map(str, default))}``)"
    text = str(default).strip()
    return f" (default: ``{text}``)" if text else ""


def _command_rst(path: str, command: Any, ctx: Any) -> list[str]:
    title = path
    lines = [title, "-" * len(title), ""]
    sub_ctx = type(ctx)(command, info_name=path.split()[-1], parent=ctx)
    usage = " ".join(command.collect_usage_pieces(sub_ctx))
    lines += [".. code-block:: none", "", f"   {path} {usage}", ""]
    help_text = (command.help or "").strip()
    if help_text:
        lines += [".. code-block:: none", ""]
        lines += [f"   {line}" if line else "" for line in help_text.splitlines()]
        lines.append("")
    params = [p for p in command.params if not getattr(p, "hidden", False)]
    if params:
        lines += [".. list-table::", "   :header-rows: 1", "   :widths: 30 70", ""]
        lines += ["   * - argument / option", "     - meaning"]
        for param in params:
            if param.param_type_name == "argument":
                name = param.metavar or (param.name or "").upper()
            else:
                name = ", ".join([*param.opts, *param.secondary_opts])
            helptext = " ".join((getattr(param, "help", None) or "").split())
            helptext = helptext.replace("*", r"\*").replace("`", "'").replace("|", r"\|")
            lines += [f"   * - ``{name}``", f"     - {helptext}{_default(param)}".rstrip()]
        lines.append("")
    return lines


class BioparityCli(SphinxDirective):
    """Every ``bioparity`` command, loaded from its module, in the order of ``bioparity --help``."""

    def run(self) -> list[nodes.Node]:
        import typer
        from typer import _click as click

        from bioparity.cli.main import COMMANDS, MODULES, app, load_commands

        commands: dict[str, Any] = {}
        for module in MODULES:
            commands.update(load_commands(module))
        root = typer.main.get_command(app)
        ctx = click.Context(root, info_name="bioparity")
        lines: list[str] = []
        for name in [*COMMANDS, *sorted(set(commands) - set(COMMANDS))]:
            command = commands[name]
            lines += _command_rst(f"bioparity {name}", command, ctx)
            for sub in sorted(getattr(command, "commands", {})):
                lines += _command_rst(f"bioparity {name} {sub}", command.commands[sub], ctx)
        return self.parse_text_to_nodes("\n".join(lines), allow_section_headings=True)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("runpython", RunPython)
    app.add_directive("bioparity-cli", BioparityCli)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
