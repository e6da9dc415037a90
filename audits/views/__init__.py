"""The self-audit pages, by what they are for: the provider's start page (`home`), answering a
draft (`answering`), a declaration and its history (`declarations`), reviews (`reviews`) and
rounds (`rounds`). Every page gets its objects from selectors that take the user, and answers
404 for anything outside that person's scope."""
