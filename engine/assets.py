"""Where the shipped data files (``assets/``) are, in a checkout and when installed."""

from __future__ import annotations

from pathlib import Path

# In a checkout (and an editable install) the folder sits beside engine/.
SOURCE_ASSETS = Path(__file__).resolve().parent.parent / "assets"
PACKAGE = "backprop_lens_assets"   # pyproject.toml installs assets/ under this name


def assets_dir() -> Path:
    """The folder holding the shipped data files."""
    if (SOURCE_ASSETS / "__init__.py").is_file():
        return SOURCE_ASSETS
    try:
        import importlib.util
        spec = importlib.util.find_spec(PACKAGE)
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return SOURCE_ASSETS   # missing: the caller's message names this path


def asset_path(*parts: str) -> Path:
    """The path of one shipped file, e.g. ``asset_path("digits.csv.gz")``."""
    return assets_dir().joinpath(*parts)
