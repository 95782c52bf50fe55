async def attach(session, handle):
    """Sample for test_layers (not imported)."""
    return await session._attach_handle("x")
