"""Read, check and locate: YAML with positions, the schemas, references, the
character and Markdown rules, photos; `loader.load()` gives a Casebook or located diagnostics."""
