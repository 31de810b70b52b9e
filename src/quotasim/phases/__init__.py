"""The phases of one month, each a function ``phase(state, p, rng) -> None``.

Every phase updates ``state`` in place and returns nothing; the engine's ``PHASES``
tuple lists them in order and is the model's table of contents.
"""
