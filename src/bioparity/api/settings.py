"""Environment variables through which ``bioparity serve`` configures its worker processes.

Kept apart from :mod:`bioparity.server` so that the serving parent process can name them without
importing the application.
"""

from __future__ import annotations

#: 1/true/yes: cookies always Secure; 0/false/no: never; unset: Secure unless listening on loopback.
SECURE_COOKIES_ENV = "BIOPARITY_SECURE_COOKIES"
#: Set by ``bioparity serve`` for its worker processes once it has migrated the database itself.
MIGRATED_ENV = "BIOPARITY_SERVE_MIGRATED"
