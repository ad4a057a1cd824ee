"""convex: Bregman projections with certified errors, optimization references (min-ℓ2, basis pursuit and
nonnegative faces by certified LPs, the ℓ2 and ℓ1 max-margin classifiers), and discrete mirror descent."""
