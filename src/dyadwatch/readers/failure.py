"""The reading error that knows which step failed, so a batch can record it as a Failure."""

from __future__ import annotations

from ..document import Failure
from ..errors import ReaderError

__all__ = ["InputError", "READ", "DECODE", "PARSE"]

# The steps a Failure from the readers names in its ``stage``.
READ = "read"  # the file itself: missing, unreadable, empty, too large
DECODE = "decode"  # its bytes: binary, unknown or mixed encoding
PARSE = "parse"  # its structure: bad JSON, wrong field types, no article text in the HTML


class InputError(ReaderError):
    """A ReaderError raised by one reading step (``stage``: read, decode or parse)."""

    def __init__(self, source: str, reason: str, *, stage: str, line: int | None = None) -> None:
        super().__init__(source, reason, line=line)
        self.stage = stage

    def to_failure(self) -> Failure:
        """This error as the Failure record a batch reports."""
        return Failure(self.source, self.stage, self.reason, self.line)
