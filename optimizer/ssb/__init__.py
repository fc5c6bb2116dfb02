"""Import of Statistics Norway (SSB) figures: JSON-stat 2.0 and StatBank CSV -> an imported data folder.

``import_files`` reads (name, bytes) pairs and ``write_data_folder`` writes the folder a scenario
names with ``data = "..."``; ``load_data_folder`` reads it back. See ``docs/IMPORT.md``.
"""

from optimizer.ssb.folder import ImportedData, load_data_folder
from optimizer.ssb.importer import ImportResult, import_files, write_data_folder

__all__ = ["ImportResult", "ImportedData", "import_files", "load_data_folder", "write_data_folder"]
