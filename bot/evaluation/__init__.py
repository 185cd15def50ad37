"""Results as the basis for evaluation: periods, scorecards, ratings and rankings."""
