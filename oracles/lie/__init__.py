"""lie: Lie brackets of gradient fields, numerical rank with error bounds, the closure of Lie(∂G) as a graph,
and conservation-law counts."""
