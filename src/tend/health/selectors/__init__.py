"""Reads for customer health, scoped by the user, one module per topic."""
