"""Reading, checking and writing directory data in the import/export format.

The format is documented in docs/import-format.md.  :mod:`.schema` names the
columns per entity (shared by import and export), :mod:`.reading` turns bytes
into records with line numbers, :mod:`.cleaning` turns raw cell values into
model values or explains why it cannot.  The write side lives in
``lotse.ecosystem.domain.imports`` and ``lotse.ecosystem.domain.exports``.
"""
