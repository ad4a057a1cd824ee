"""model: the objects statements are about -- parametrizations w = G(x) (with Hopf charts, deep products and
Theorem 5.1's reverse parametrizations), losses and schedules, potentials (one :class:`Potential` contract)."""
