"""Train stage (exports filled in once the feature pipeline lands)."""
