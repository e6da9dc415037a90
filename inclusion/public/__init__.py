"""Find a setting: the public pages for families (no sign-in, no cookies, no logged inputs)."""
