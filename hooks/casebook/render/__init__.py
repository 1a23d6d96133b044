"""Rendering the casebook to Markdown pages (Material for MkDocs flavour, but no MkDocs import)."""
