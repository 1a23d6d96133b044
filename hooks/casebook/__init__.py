"""基层治理案例库 core: load, check and render case records. Knows nothing of MkDocs."""

__version__ = "0.1.0"
