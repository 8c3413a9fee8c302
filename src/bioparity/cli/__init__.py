"""The ``bioparity`` command line: thin wrappers over the numerical cores."""
