"""The reference-result cache is keyed by everything that affects a result, so it is never stale."""

import types

from grader import cache


def _module(path, text):
    path.write_text(text)
    return types.SimpleNamespace(__file__=str(path))


def test_key_changes_with_code_data_device_and_seed(tmp_path):
    reference = _module(tmp_path / "ref.py", "x = 1\n")
    check = tmp_path / "check.py"
    check.write_text("budget = 2\n")
    base = cache.key(reference, check, seed=1, device="cpu", source="subset")
    assert base == cache.key(reference, check, seed=1, device="cpu", source="subset")
    assert base != cache.key(reference, check, seed=2, device="cpu", source="subset")
    assert base != cache.key(reference, check, seed=1, device="cuda", source="subset")
    assert base != cache.key(reference, check, seed=1, device="cpu", source="torchvision")
    check.write_text("budget = 3\n")
    assert base != cache.key(reference, check, seed=1, device="cpu", source="subset")
    check.write_text("budget = 2\n")
    reference = _module(tmp_path / "ref.py", "x = 2\n")
    assert base != cache.key(reference, check, seed=1, device="cpu", source="subset")


def test_cached_value_is_reused_and_a_corrupt_file_recomputed(tmp_path, monkeypatch):
    monkeypatch.setenv("KIT_CACHE_DIR", str(tmp_path))
    calls = []
    assert cache.cached("demo", "k1", lambda: calls.append(1) or 0.5) == 0.5
    assert cache.cached("demo", "k1", lambda: calls.append(1) or 0.7) == 0.5
    assert len(calls) == 1
    (tmp_path / "demo-k1.pt").write_bytes(b"not a torch file")
    assert cache.cached("demo", "k1", lambda: calls.append(1) or 0.9) == 0.9
