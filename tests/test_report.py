import json

import pytest

from ftkit.report import ClaimFailed, Run, scoreboard


def test_results_json_schema(tmp_path, monkeypatch):
    monkeypatch.setenv("FTKIT_OUT", str(tmp_path))
    run = Run("model_soups", {"profile": "smoke", "seed": 3})
    run.log(acc=0.5, nested={"a": float("nan")})
    run.claim("x", True, "fine")
    run.compare("q", "1.0", 0.9)
    path = run.finish()
    r = json.loads(path.read_text())
    assert set(r) == {"slug", "profile", "params", "metrics", "claims", "checks", "findings", "verdict", "paper_vs_ours",
                      "runtime"}
    assert r["params"]["seed"] == 3 and r["metrics"]["nested"]["a"] is None
    assert r["claims"] == [{"name": "x", "holds": True, "detail": "fine"}]
    assert r["paper_vs_ours"] == [{"quantity": "q", "paper": "1.0", "ours": 0.9}]
    assert "wall_s" in r["runtime"] and "device" in r["runtime"]
    assert "model_soups" in scoreboard([path])


def test_failed_claim_fails_smoke_but_not_gpu(tmp_path, monkeypatch):
    monkeypatch.setenv("FTKIT_OUT", str(tmp_path))
    smoke = Run("s", {"profile": "smoke"})
    smoke.claim("no", False)
    with pytest.raises(ClaimFailed):
        smoke.finish()
    assert (tmp_path / "results.json").exists()          # written before failing
    gpu = Run("s", {"profile": "gpu"})
    gpu.claim("no", False)
    gpu.finish()


def test_reported_findings_are_recorded_but_do_not_fail_smoke(tmp_path, monkeypatch):
    monkeypatch.setenv("FTKIT_OUT", str(tmp_path))
    run = Run("s", {"profile": "smoke"})
    run.check("identity", True, "0.0")
    run.finding("method beats control", False, "49 vs 51", control="random", margin="0", asserted=False)
    run.verdict("not at this scale", "the effect needs larger models")
    r = json.loads(run.finish().read_text())
    assert r["findings"][0]["asserted"] is False and r["verdict"]["value"] == "not at this scale"
    with pytest.raises(ValueError):
        run.verdict("sort of", "")
