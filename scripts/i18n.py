"""Developer tool for the message catalogues (``src/bioparity/i18n/locale``).

    python scripts/i18n.py update     # add newly marked messages to every language's .po files (empty msgstr)
    python scripts/i18n.py check      # list what is missing or untranslated (exit 1 if anything)

Adding a language: add its tag to ``bioparity.i18n.LANGUAGES`` (and ``LANGUAGE_NAMES``), run ``update`` with
``--language TAG`` once to create the files, translate every entry, and run the test suite.
"""

from __future__ import annotations

import argparse
import io
import sys
from datetime import UTC, datetime

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from bioparity.i18n import DEFAULT_LANGUAGE, DOMAINS, LANGUAGES, locale_dir
from bioparity.i18n.catalogues import extract, load, package_root, problems

FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)


def template(domain: str) -> Catalog:
    """The message template (``.pot`` in gettext terms) of a domain, from the sources."""
    catalogue = Catalog(domain=domain, project="bioparity")
    for message in extract(domain).values():
        ids = (message.id, message.plural) if message.plural else message.id
        catalogue.add(
            ids,
            locations=[(p.rsplit(":", 1)[0], int(p.rsplit(":", 1)[1])) for p in message.places],
            context=message.context,
        )
    return catalogue


def update(languages: list[str]) -> None:
    """Merge the sources' messages into each language's catalogue, keeping existing translations."""
    for language in languages:
        for domain in DOMAINS:
            catalogue = load(language, domain)
            catalogue.update(template(domain), no_fuzzy_matching=True)
            for entry in list(catalogue.obsolete.values()):  # keep reviewed translations of unused messages
                catalogue[entry.id] = entry
            catalogue.obsolete.clear()
            catalogue.creation_date = catalogue.revision_date = FIXED_DATE  # no churn in the files' headers
            folder = package_root() / "i18n" / "locale" / locale_dir(language) / "LC_MESSAGES"
            folder.mkdir(parents=True, exist_ok=True)
            buffer = io.BytesIO()
            write_po(buffer, catalogue, omit_header=False, no_location=True, ignore_obsolete=True, width=0)
            (folder / f"{domain}.po").write_bytes(buffer.getvalue())
            print(f"{language} {domain}: {len(catalogue)} messages")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("action", choices=["update", "check"])
    parser.add_argument("--language", action="append", help="only this language (repeatable)")
    args = parser.parse_args()
    languages = args.language or [tag for tag in LANGUAGES if tag != DEFAULT_LANGUAGE]
    if args.action == "update":
        update(languages)
        return 0
    found = [line for language in languages for line in problems(language)]
    print("\n".join(found) or "catalogues complete")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
