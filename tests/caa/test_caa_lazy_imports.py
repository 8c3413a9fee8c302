"""Issue #22: ``bioparity tolerance-factor`` starts without pandas, ``scipy.stats`` or matplotlib, and
``from bioparity.caa import X`` keeps working for every public name (module ``__getattr__``, PEP 562)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from scipy import special, stats

import bioparity.caa as caa
from bioparity.caa import tolerance

HEAVY = ("pandas", "scipy.stats", "matplotlib")


def _modules_after(code: str) -> dict[str, object]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps({{m: m in sys.modules for m in {HEAVY!r}}}))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def test_tolerance_factor_command_loads_no_heavy_module() -> None:
    code = (
        "import sys\nfrom bioparity.cli.main import app\n"
        "sys.argv = ['bioparity', 'tolerance-factor', '--n', '10', '--format', 'json']\n"
        "try:\n    app()\nexcept SystemExit:\n    pass"
    )
    assert _modules_after(code) == dict.fromkeys(HEAVY, False)


def test_importing_the_package_loads_nothing_heavy() -> None:
    assert _modules_after("import bioparity.caa") == dict.fromkeys(HEAVY, False)
    assert _modules_after("from bioparity.caa import tolerance_factor") == dict.fromkeys(HEAVY, False)


@pytest.mark.parametrize("name", caa.__all__)
def test_every_public_name_resolves(name: str) -> None:
    value = getattr(caa, name)
    module = __import__(f"bioparity.caa.{caa._SOURCES[name]}", fromlist=[name])
    assert value is getattr(module, name)
    assert name in dir(caa)


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = caa.no_such_name


def test_special_function_forms_give_scipy_stats_bits() -> None:
    """The density and chi-square quantile written with scipy.special equal scipy.stats' bit for bit."""
    rng = np.random.default_rng(22)
    x = np.concatenate([np.linspace(0.0, 10.0, 2001), rng.uniform(-12, 12, 5000)])
    assert np.array_equal(tolerance._normal_pdf(x), stats.norm.pdf(x))
    df = np.concatenate([np.arange(1.0, 3000.0), rng.uniform(0.5, 1e5, 20000)])
    q = rng.uniform(1e-4, 1 - 1e-4, df.size)
    assert np.array_equal(tolerance._chi2_ppf(q, df), stats.chi2.ppf(q, df))
    assert special.ndtri(0.5) == 0.0  # scipy.special is what remains imported
