import pytest

from tantieme.core.env import EnvError, env_bool, env_choice, env_int, env_list, env_str


def test_env_helpers_read_typed_values() -> None:
    environ = {"A": "yes", "B": "42", "C": "x, y,,z", "D": "Production"}
    assert env_bool("A", False, environ=environ) is True
    assert env_bool("MISSING", True, environ=environ) is True
    assert env_int("B", 0, environ=environ) == 42
    assert env_list("C", [], environ=environ) == ["x", "y", "z"]
    assert env_choice("D", "development", ("development", "production"), environ=environ) == "production"
    assert env_str("MISSING", "fallback", environ=environ) == "fallback"


@pytest.mark.parametrize(
    "call",
    [
        lambda: env_bool("X", False, environ={"X": "maybe"}),
        lambda: env_int("X", 0, environ={"X": "ten"}),
        lambda: env_choice("X", "a", ("a", "b"), environ={"X": "c"}),
        lambda: env_str("X", environ={}),
    ],
)
def test_env_helpers_fail_loudly(call) -> None:
    with pytest.raises(EnvError, match="X"):
        call()
