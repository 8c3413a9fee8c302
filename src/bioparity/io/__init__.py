"""Input/output at the edges: reading and validating user files, writing outputs atomically."""

from bioparity.io.files import atomic_write_bytes, atomic_write_text, write_frame_atomic
from bioparity.io.table import ColumnSpec, read_table

__all__ = ["ColumnSpec", "atomic_write_bytes", "atomic_write_text", "read_table", "write_frame_atomic"]
