"""Importing units, officials and tasks from .csv and .xlsx files (``dondoc import`` and the
web upload page)."""

from bot.importing.headers import Kind
from bot.importing.issues import ImportFailed, Issue
from bot.importing.service import (
    ImportResult,
    PreparedImport,
    apply_import,
    import_files,
    read_import,
)

__all__ = [
    "ImportFailed",
    "ImportResult",
    "Issue",
    "Kind",
    "PreparedImport",
    "apply_import",
    "import_files",
    "read_import",
]
