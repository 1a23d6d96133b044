"""The editors' tools: the `casebook` command, `casebook new` and the field reference."""
