"""Helpers every app may use: bulk SQL, the Celery task policy and the progress output type.
Imports nothing of the apps."""
