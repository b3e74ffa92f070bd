"""Writes for customer health, one module per topic: ``scoring``, ``playbooks``, ``lost``."""
