"""Entry point of the ``bioparity`` command.

Each area defines its commands in its own module, on a module-level ``typer.Typer()`` named ``app``.
The modules are imported lazily: ``bioparity --help`` lists the commands from :data:`COMMANDS` without
importing any numerical core (SciPy, pandas, Dask, matplotlib), and ``bioparity CMD`` imports only the
module of ``CMD``. A new command needs one line in :data:`COMMANDS_BY_MODULE`, under its module
(``tests/cli/test_lazy_cli.py`` checks that the table and the modules agree); a command missing from it still
runs, after every module is loaded.

``--lang`` (or ``BIOPARITY_LANG``) chooses the language of the human-readable messages and of the reports a
command writes: English (default) or Simplified Chinese (``zh-CN``). Without either, the command follows the
POSIX locale variables like any other program of the system, in their order: ``LC_ALL``, then
``LC_MESSAGES``, then ``LANG`` (the first set and not empty decides; ``C``/``POSIX`` or a language not offered
is English; :func:`bioparity.i18n.environment_language`), so ``LANG=zh_CN.UTF-8 bioparity ...`` writes
Chinese. Precedence: a command's own ``--lang`` (``validate``), then ``bioparity --lang``, then
``BIOPARITY_LANG``, then ``LC_ALL``, ``LC_MESSAGES``, ``LANG``, then English. Help pages (``--help``) are in
the chosen language too: Typer's headings and the help texts of the commands and of their options that the
cli catalogue translates (:func:`bioparity.cli.click_words.help_in_words`; the one-line helps below and the
commands' helps are marked with ``gettext_noop`` and looked up when the page is printed, so listing the
commands still imports no command module). ``bioparity --help`` takes its language from ``--lang`` wherever
it stands, or ``BIOPARITY_LANG`` (Click prints an eager ``--help`` before it reads the other options:
:meth:`LazyGroup.parse_args`). Results (JSON, CSV) are the same in every language.
Babel is imported only when a language other than English is chosen, so ``bioparity --help`` stays fast.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Annotated, Any

import typer
from typer import _click as click  # Typer 0.2x vendors click
from typer._click.exceptions import NoArgsIsHelpError, UsageError
from typer.core import TyperCommand, TyperGroup, TyperOption

from bioparity import __version__
from bioparity.cli.click_words import abort_in_words, frame_in_english, help_in_words, worded
from bioparity.environment import one_blas_thread
from bioparity.i18n import gettext, gettext_noop, use_language

one_blas_thread()  # before NumPy is first imported (lazily, below)

#: module under bioparity.cli -> {command: one-line help shown by ``bioparity --help``}, in help order
#: (grouped by module: each module's commands are listed together, so the module is named once); the helps
#: are English, translated when the list is printed.
COMMANDS_BY_MODULE: dict[str, dict[str, str]] = {
    "power": {
        "power": gettext_noop("Power of the two one-sided tests (PowerTOST power.TOST)."),
        "samplesize": gettext_noop(
            "Smallest total sample size reaching the target power (PowerTOST sampleN.TOST)."
        ),
        "cv-from-ci": gettext_noop("CV implied by a reported confidence interval (PowerTOST CVfromCI)."),
        "samplesize-pk-similarity": gettext_noop(
            "Completers and enrolled per arm of a k-arm PK similarity study for a joint power."
        ),
    },
    "clinical": {
        "ci-diff": gettext_noop("Confidence interval for a difference of two proportions p1 - p2."),
        "ci-ratio": gettext_noop("Confidence interval for a ratio of two proportions p1 / p2."),
        "ci-means": gettext_noop("Confidence interval for a difference of two means (Welch or pooled t)."),
        "samplesize-prop": gettext_noop("Sample size per group to show equivalence of two proportions."),
        "samplesize-means": gettext_noop("Sample size per group to show equivalence of two means."),
        "ci-diff-stratified": gettext_noop(
            "Stratified CI for a common difference of proportions (stratified Newcombe, MN, Mantel-Haenszel)."
        ),
        "ada-summary": gettext_noop(
            "ADA (or NAb) incidence per arm and timepoint, differences to a reference arm."
        ),
    },
    "bioassay": {
        "ada-cutpoint": gettext_noop(
            "ADA assay cut points (screening, confirmatory, titration) from validation data."
        ),
        "ada-sensitivity": gettext_noop("ADA assay sensitivity from positive-control dilution curves."),
        "ada-drug-tolerance": gettext_noop("ADA assay drug tolerance: highest drug level still detected."),
        "isr": gettext_noop("Incurred sample reanalysis (ICH M10): share within limits and failures."),
    },
    "demo": {
        "demo": gettext_noop(
            "The demo program: an IgG1 mAb biosimilar with EU and US reference (synthetic, seeded)."
        ),
    },
    "be": {
        "be": gettext_noop(
            "Bioequivalence of a crossover or replicate study (ABE, EMA ABEL A/B, FDA RSABE)."
        ),
        "pk-similarity": gettext_noop(
            "Pairwise PK similarity of parallel arms (e.g. test vs EU and US reference)."
        ),
    },
    "caa": {
        "tolerance-factor": gettext_noop(
            "Normal tolerance factor k (R tolerance::K.factor; exact by default)."
        ),
        "caa": gettext_noop("Comparative analytical assessment: every attribute, every comparison."),
    },
    "potency": {
        "potency": gettext_noop(
            "Relative potency of bioassays: parallel-line, slope-ratio, 4PL/5PL; similarity; combination."
        ),
    },
    "cmc": {
        "stability": gettext_noop(
            "Stability per ICH Q1E: poolability, shelf life, equivalence of degradation rates."
        ),
        "comparability": gettext_noop(
            "Process-change comparability (ICH Q5E): CAA of post- vs pre-change lots, with stability."
        ),
        "profile": gettext_noop(
            "Profile similarity of compositional data (glycans, charge or size variants)."
        ),
    },
    "market": {
        "market": gettext_noop("Market scan: biologics losing protection and the biosimilar void."),
    },
    "nca": {
        "nca": gettext_noop(
            "Noncompartmental analysis (PKNCA-compatible): Cmax, AUCs, lambda_z, half-life, CL, Vz."
        ),
    },
    "nca_sparse_urine": {
        "nca-sparse": gettext_noop(
            "Sparse NCA: AUC of the mean profile with its standard error (Bailer, Nedelman-Jia)."
        ),
        "nca-urine": gettext_noop(
            "Urine NCA: amounts excreted, fe, renal clearance, excretion-rate parameters."
        ),
    },
    "run": {
        "run": gettext_noop(
            "Run an analysis kind on a file, as the workspace runs it (see `bioparity kinds`)."
        ),
        "kinds": gettext_noop(
            "The analysis kinds with their options (type, default, choices) and input columns."
        ),
    },
    "validate": {
        "validate": gettext_noop(
            "Re-run every reference case on this installation; exit 1 if any case fails."
        ),
    },
    "pathways": {
        # no rules version here: each region's rule file carries its own (printed with every result), and
        # reading them would import the pathways core into ``bioparity --help``
        "pathways": gettext_noop(
            "Readiness per region under the current streamlined rules (EMA, FDA, MHRA, ...)."
        ),
    },
    "workspace": {
        "serve": gettext_noop("Run the workspace API server (migrates the database first)."),
        "db": gettext_noop("The workspace database."),
        "user": gettext_noop("Workspace user accounts."),
        "org": gettext_noop("Organisations of the workspace."),
        "audit": gettext_noop("The audit trail."),
    },
    "simulate": {
        "simulate": gettext_noop(
            "Clinical trial simulation (runs on a local Dask cluster, or an existing one)."
        ),
    },
    "scale": {
        "nca-batch": gettext_noop(
            "NCA of a large data set (Parquet; plain or SDTM PC), partition by partition on Dask."
        ),
        "bench": gettext_noop("Run every benchmark and print all performance figures in one table."),
    },
}

#: command -> (module under bioparity.cli, one-line help), in help order: the table above, flattened.
COMMANDS: dict[str, tuple[str, str]] = {
    name: (module, help_)
    for module, commands in COMMANDS_BY_MODULE.items()
    for name, help_ in commands.items()
}

#: Every module that defines commands.
MODULES = tuple(COMMANDS_BY_MODULE)


def load_commands(module: str) -> dict[str, click.Command]:
    """The click commands of ``bioparity.cli.<module>``: those of its module-level Typer ``app``."""
    loaded = importlib.import_module(f"bioparity.cli.{module}")
    if hasattr(loaded, "app"):
        return dict(typer.main.get_group(loaded.app).commands)
    holder = typer.Typer()  # a module that still adds its commands with ``register(app)``

    @holder.callback()
    def _group() -> None:  # a callback makes get_command return a group even for one command
        """Holder."""

    loaded.register(holder)
    group = typer.main.get_command(holder)
    assert isinstance(group, TyperGroup)
    return dict(group.commands)


#: Typer's type column of the rich help (Typer 0.2x; older versions have none and show no type at all).
_RICH_TYPE: Callable[[TyperOption, click.Context], str | None] | None = getattr(
    TyperOption, "display_type_rich", None
)


def _flag_type(self: TyperOption, ctx: click.Context) -> str | None:
    """No type for a flag in the help (``--help``, ``--version``): it takes no value. Typer's plain help
    leaves it out; its rich help printed ``<bool>`` (``display_type_rich`` does not look at ``is_flag``)."""
    if (self.is_flag and self.metavar is None) or _RICH_TYPE is None:
        return None
    return _RICH_TYPE(self, ctx)


if _RICH_TYPE is not None:
    TyperOption.display_type_rich = _flag_type  # type: ignore[method-assign]

_FormatHelp = Callable[[Any, click.Context, click.HelpFormatter], None]


def _in_words(format_help: _FormatHelp) -> _FormatHelp:
    """Typer's ``format_help`` printing the page in the command's language
    (:func:`~bioparity.cli.click_words.help_in_words`)."""

    def format_in_words(self: click.Command, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with help_in_words(self, ctx):
            format_help(self, ctx, formatter)

    return format_in_words


# every command's page and every group's (Typer makes them of these classes)
TyperCommand.format_help = _in_words(TyperCommand.format_help)  # type: ignore[method-assign,assignment]
TyperGroup.format_help = _in_words(TyperGroup.format_help)  # type: ignore[method-assign,assignment]


class LazyGroup(TyperGroup):
    """A command group that imports a command's module only when that command runs (or shows its help)."""

    def invoke(self, ctx: click.Context) -> object:
        """Run the command; a usage error, and Typer's "Aborted." after a prompt the user left, in the
        command's language (:mod:`bioparity.cli.click_words`)."""
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            raise worded(exc) from None
        except typer.Abort:
            abort_in_words()  # Typer prints "Aborted." once the command's language is no longer chosen
            raise

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run the command line; Typer's own words are English again at the end (a usage error sets them in
        the command's language: :mod:`bioparity.cli.click_words`)."""
        try:
            return super().main(*args, **kwargs)
        finally:
            frame_in_english()

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """The options; ``bioparity --help`` (or ``bioparity`` alone) in the language ``--lang``,
        ``BIOPARITY_LANG`` or the locale chooses (:meth:`_page_language`)."""
        if args and "--help" not in args:  # a command runs: it chooses its language (main)
            return super().parse_args(ctx, args)
        with use_language(self._page_language(ctx, args)):
            if not args and self.no_args_is_help and not ctx.resilient_parsing:
                raise NoArgsIsHelpError(ctx)  # the page is made here
            return super().parse_args(ctx, args)

    def _page_language(self, ctx: click.Context, args: list[str]) -> str | None:
        """The language of the top-level help page: Click prints the eager ``--help`` before it reads
        ``--lang`` (and converting the options would import pydantic into ``bioparity --help``), so the
        arguments are only parsed here, not converted; None (English) for a value not offered."""
        given = None
        if args:
            opts, _rest, _order = self.make_parser(ctx).parse_args(args=list(args))
            given = opts.get("lang")
        return _environment_language(given)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*COMMANDS, *(name for name in self.commands if name not in COMMANDS)]

    def _load(self, module: str) -> None:
        for name, command in load_commands(module).items():
            self.commands.setdefault(name, command)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if cmd_name in COMMANDS:  # listing in --help: a stand-in with the one-line help, nothing imported
            return TyperCommand(cmd_name, help=gettext(COMMANDS[cmd_name][1]))
        return None

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else None
        if name in COMMANDS:
            self._load(COMMANDS[name][0])
        elif name is not None and name not in self.commands:
            for module in MODULES:  # an unlisted command: load everything before click says "no such command"
                self._load(module)
        return super().resolve_command(ctx, args)


app = typer.Typer(
    name="bioparity",
    cls=LazyGroup,
    help=gettext_noop(
        "Biosimilar similarity evidence: power and sample size, NCA, bioequivalence, analytical similarity."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"bioparity {__version__}")
        raise typer.Exit()


def language_option(value: str | None) -> str | None:
    """The ``--lang`` value as a supported tag (None when not given); a usage error names the choices."""
    if value is None:
        return None
    from bioparity.errors import InputError
    from bioparity.i18n import normalise_language

    try:
        return normalise_language(value)
    except InputError as exc:
        raise typer.BadParameter(str(exc)) from None


@app.callback()
def main(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help=gettext_noop("Print the version and exit.")
        ),
    ] = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            envvar="BIOPARITY_LANG",
            callback=language_option,
            help=gettext_noop(
                "Language of messages and reports: en or zh-CN (also $BIOPARITY_LANG; default: the locale, "
                "$LC_ALL, $LC_MESSAGES or $LANG, else en)."
            ),
        ),
    ] = None,
) -> None:
    """bioparity command line (the page of ``bioparity --help`` is the app's help)."""
    if lang is None:  # neither --lang nor BIOPARITY_LANG: the POSIX locale variables
        lang = _locale_language()
    if lang is not None:
        from bioparity.i18n import use_language

        ctx.with_resource(use_language(lang))  # the whole command runs in this language


def _environment_language(given: str | None = None) -> str | None:
    """The language ``given`` (``--lang``), else ``BIOPARITY_LANG``, else the locale chooses (None for
    English; a value not offered is English: a help page printed before the options are read)."""
    import os

    from bioparity.errors import InputError
    from bioparity.i18n import normalise_language

    chosen = given or os.environ.get("BIOPARITY_LANG")
    if not chosen:
        return _locale_language()
    try:
        return normalise_language(chosen)
    except InputError:
        return None


def _locale_language() -> str | None:
    """The language ``LC_ALL``, ``LC_MESSAGES`` or ``LANG`` chooses (None for English: Babel not imported)."""
    import os

    from bioparity.i18n import environment_language

    return environment_language(os.environ)


if __name__ == "__main__":  # pragma: no cover
    app()
