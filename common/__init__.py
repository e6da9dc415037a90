"""Helpers every app may use: bulk SQL and the Celery task policy. Imports nothing of the apps."""
