"""Writes for the inclusion app. Local inclusion plans: `inclusion.services.plans`; their
spreadsheets: `inclusion.services.spreadsheets`."""
