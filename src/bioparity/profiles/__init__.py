"""Profile similarity of compositional data: per-species ranges and the Aitchison whole-profile distance."""

from bioparity.profiles.core import ProfileResult, aitchison_distance, clr, profile_similarity, replace_zeros

__all__ = ["ProfileResult", "aitchison_distance", "clr", "profile_similarity", "replace_zeros"]
