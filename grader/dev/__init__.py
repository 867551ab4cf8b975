"""For the kit's authors: `kit new`, `kit dev check`, and the mutants and beginner answers
that prove an exercise's checks."""
