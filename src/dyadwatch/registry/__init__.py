"""The actor registry: countries, IGOs, office holders, organisations, places and projects,
read from TSV data files (built-in ones under ``dyadwatch/data/registry`` plus user files),
checked on load, and queried by name, transliteration, country word, office and date.

    >>> from dyadwatch.registry import load_registry
    >>> registry = load_registry()
    >>> registry.country_of("Kyrgyz")
    'KGZ'
"""

from __future__ import annotations

from .core import ENTITY_TYPES, Entity, Registry
from .load import BUILTIN_DIR, builtin_paths, check_registry_file, load_registry
from .model import (
    COUNTRY_KINDS,
    OFFICES,
    SECTORS,
    Country,
    Igo,
    Org,
    Person,
    Place,
    Project,
    Term,
)
from .text import fold, translit_key

__all__ = [
    "BUILTIN_DIR",
    "COUNTRY_KINDS",
    "ENTITY_TYPES",
    "OFFICES",
    "SECTORS",
    "Country",
    "Entity",
    "Igo",
    "Org",
    "Person",
    "Place",
    "Project",
    "Registry",
    "Term",
    "builtin_paths",
    "check_registry_file",
    "fold",
    "load_registry",
    "translit_key",
]
