"""Reads for the inclusion app. Local inclusion plans: `inclusion.selectors.plans`."""
