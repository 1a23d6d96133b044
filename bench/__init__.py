"""The casebook benchmark: synthetic records, build measurements, and the report (`make bench`)."""
