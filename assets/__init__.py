"""Data files shipped with Backprop Lens (installed as the package ``backprop_lens_assets``).

Find them with ``engine.assets.asset_path``, never by a path relative to the
source tree: a non-editable install keeps them in site-packages.
"""
