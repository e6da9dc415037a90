"""API v1 endpoints, one module per resource. Thin: every read comes from the same selectors
as the pages, every write goes through the same services (their refusals are mapped to HTTP
once, in api.errors), so a token sees and does exactly what its user can."""
