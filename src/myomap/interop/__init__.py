"""Moving a clinic's data out and in: FHIR R4 (R4B models) export and import, CSV export.

Reads go through the apps' query layers and writes through their named actions, so an
import is validated, screened and audited like the same records typed in by hand. See
docs/interop.md."""

from __future__ import annotations


class InteropError(Exception):
    """A refusal of the whole export or import, in words, with the exit code to use."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
