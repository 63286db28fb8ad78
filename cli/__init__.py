"""Headless commands: ``backprop-lens train …`` and ``backprop-lens gradcheck …``."""
