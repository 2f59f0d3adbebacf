"""The tools, one module per slice they serve; each calls that slice's service as its HTTP twin does."""
