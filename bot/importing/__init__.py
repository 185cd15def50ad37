"""Importing units, officials and tasks from .csv and .xlsx files (``dondoc import``)."""

from bot.importing.headers import Kind
from bot.importing.issues import ImportFailed, Issue
from bot.importing.service import ImportResult, import_files

__all__ = ["ImportFailed", "ImportResult", "Issue", "Kind", "import_files"]
