"""One error class tree for dyadwatch: every error names the input, the problem and the fix."""

from __future__ import annotations

__all__ = [
    "DyadwatchError",
    "ReaderError",
    "PipelineError",
    "StageConfigError",
    "RegistryError",
    "StoreError",
    "SchemaTooNewError",
    "UsageError",
]


class DyadwatchError(Exception):
    """Base class of every error dyadwatch raises on purpose."""


class ReaderError(DyadwatchError):
    """An input could not be read; carries the file (and line, where it applies)."""

    def __init__(self, source: str, reason: str, *, line: int | None = None) -> None:
        self.source = source
        self.reason = reason
        self.line = line
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {reason}")


class PipelineError(DyadwatchError):
    """A stage failed on a document or the pipeline is mis-assembled."""


class StageConfigError(PipelineError):
    """A stage name is unknown, or a stage needs a layer no earlier stage adds."""


class RegistryError(DyadwatchError):
    """A registry data file is malformed; names the file, the line and the problem."""

    def __init__(self, path: str, line: int | None, problem: str) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {problem}")


class StoreError(DyadwatchError):
    """The database cannot be opened or written."""


class SchemaTooNewError(StoreError):
    """The database was written by a newer dyadwatch."""


class UsageError(DyadwatchError):
    """The caller asked for something that cannot be done as asked."""
