"""Entry point of the ``bioparity`` command.

Each area registers its commands from its own module (``register(app)``), so that adding a
capability touches one line here.
"""

from __future__ import annotations

import typer

from bioparity import __version__
from bioparity.cli import be as be_commands
from bioparity.cli import bioassay as bioassay_commands
from bioparity.cli import caa as caa_commands
from bioparity.cli import clinical as clinical_commands
from bioparity.cli import demo as demo_commands
from bioparity.cli import market as market_commands
from bioparity.cli import nca as nca_commands
from bioparity.cli import pathways as pathways_commands
from bioparity.cli import power as power_commands
from bioparity.cli import scale as scale_commands
from bioparity.cli import simulate as simulate_commands
from bioparity.cli import validate as validate_commands
from bioparity.cli import workspace as workspace_commands

app = typer.Typer(
    name="bioparity",
    help="Biosimilar similarity evidence: power and sample size, NCA, bioequivalence, analytical similarity.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"bioparity {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """bioparity command line."""


power_commands.register(app)
clinical_commands.register(app)
demo_commands.register(app)
be_commands.register(app)
caa_commands.register(app)
market_commands.register(app)
nca_commands.register(app)
validate_commands.register(app)
pathways_commands.register(app)
workspace_commands.register(app)
simulate_commands.register(app)
scale_commands.register(app)
bioassay_commands.register(app)


if __name__ == "__main__":  # pragma: no cover
    app()
