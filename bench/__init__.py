"""A reproducible benchmark of one enterprise page served three ways (see README.md)."""
