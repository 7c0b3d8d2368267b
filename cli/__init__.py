"""The `clozapine-desk` command."""
