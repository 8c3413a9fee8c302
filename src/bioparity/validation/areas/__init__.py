"""Validation cases per computational area: each module has ``run(reference_dir) -> list[CaseResult]``."""
