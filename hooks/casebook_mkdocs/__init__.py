"""The MkDocs adapter for the casebook core: translates MkDocs' events into calls on the core."""
