"""The demonstration program: a realistic synthetic biosimilar program, generated reproducibly.

:mod:`bioparity.demo.synthetic` makes the data (pure, seeded); :mod:`bioparity.demo.load` puts it in a
workspace store through the same services as the API (idempotent), so the browser workspace starts with
a whole evidence chain to click through.
"""

from bioparity.demo.load import DEMO_USERS, DemoSummary, DemoUser, load_demo
from bioparity.demo.synthetic import SEED, pk_concentrations, power_grid

__all__ = ["DEMO_USERS", "SEED", "DemoSummary", "DemoUser", "load_demo", "pk_concentrations", "power_grid"]
