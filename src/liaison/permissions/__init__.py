"""The permission model: agreements, compiled policy, decisions, masking.

Plain Python: nothing here knows about GraphQL, HTTP or the database driver.
"""
