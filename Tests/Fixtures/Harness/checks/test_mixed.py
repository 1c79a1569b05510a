import pytest

def test_ok():
    assert 1 + 1 == 2

def test_broken():
    assert {"a": 1} == {"a": 2}

class TestGroup:
    @pytest.mark.parametrize("n", [1, 2])
    def test_even(self, n):
        assert n % 2 == 0

@pytest.mark.skip(reason="not today")
def test_skipped():
    pass
