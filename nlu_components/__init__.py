"""SMP Consult's own NLU pipeline components (named in config.yml by module path)."""
