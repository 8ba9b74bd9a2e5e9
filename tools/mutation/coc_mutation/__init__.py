"""Mutation testing of the modules that make published figures (`make mutation`)."""
