"""For the kit's authors: `kit new`, and the mutants that prove an exercise's checks."""
