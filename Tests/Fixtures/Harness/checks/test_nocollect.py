import stelae_fixture_module_that_is_missing  # noqa: F401

def test_never():
    pass
