"""``python -m bioparity ...``: the ``bioparity`` command line (the same app as the installed script)."""

from bioparity.cli.main import app

if __name__ == "__main__":  # pragma: no cover (run in a subprocess by the tests)
    app(prog_name="bioparity")
