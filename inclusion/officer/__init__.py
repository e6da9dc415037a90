"""The officers' pages for local inclusion plans."""
