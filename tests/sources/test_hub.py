"""``fetch_hf_config`` against a recorded config in a hand-built, offline Hugging Face cache."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from huggingface_hub import errors as hf_errors

from spicetrader.errors import InputError
from spicetrader.sources import hub
from spicetrader.sources.hub import fetch_hf_config, looks_like_repo_id

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "hf"
REPO = "TinyLlama/TinyLlama-1.1B-Chat-v1.0"
COMMIT = "fe8a4ea1ffedaf415f4da2f062534de366a451e6"


@pytest.fixture
def hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """huggingface_hub's cache layout: models--org--name/{refs/main, snapshots/<commit>/}."""
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    repo_dir = tmp_path / ("models--" + REPO.replace("/", "--"))
    (repo_dir / "refs").mkdir(parents=True)
    (repo_dir / "refs" / "main").write_text(COMMIT)
    snapshot = repo_dir / "snapshots" / COMMIT
    snapshot.mkdir(parents=True)
    shutil.copy(FIXTURES / "TinyLlama-1.1B-Chat-v1.0.config.json", snapshot / "config.json")
    return tmp_path


def test_reads_recorded_config_from_cache_offline(hf_cache: Path) -> None:
    config = fetch_hf_config(REPO, cache_dir=hf_cache)
    assert config["model_type"] == "llama"
    assert (config["num_hidden_layers"], config["hidden_size"]) == (22, 2048)
    assert config["num_key_value_heads"] == 4


def test_offline_and_not_cached_is_a_clear_input_error(hf_cache: Path) -> None:
    with pytest.raises(InputError, match="not in the Hugging Face cache") as exc:
        fetch_hf_config("meta-llama/Llama-3.1-8B", cache_dir=hf_cache)
    assert "HF_HUB_OFFLINE" in str(exc.value)


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (hf_errors.GatedRepoError, "gated model"),
        (hf_errors.RepositoryNotFoundError, "no model"),
        (hf_errors.RevisionNotFoundError, "no revision"),
        (hf_errors.RemoteEntryNotFoundError, "has no config.json"),
    ],
)
def test_hub_errors_become_input_errors(
    monkeypatch: pytest.MonkeyPatch, error: type[Exception], words: str
) -> None:
    def refuse(*args: object, **kwargs: object) -> str:
        exc = error.__new__(error)
        exc.args = ("401 Client Error",)
        raise exc

    monkeypatch.setattr("huggingface_hub.hf_hub_download", refuse)
    with pytest.raises(InputError, match=words):
        fetch_hf_config("meta-llama/Llama-3.1-8B", revision="main")


def test_bad_repo_id_is_refused_before_any_download() -> None:
    with pytest.raises(InputError, match="expected 'org/name'"):
        fetch_hf_config("not a repo")


def test_non_object_config_is_refused(hf_cache: Path) -> None:
    snapshot = next((hf_cache / ("models--" + REPO.replace("/", "--")) / "snapshots").iterdir())
    (snapshot / "config.json").write_text(json.dumps([1, 2]))
    with pytest.raises(InputError, match="not a JSON object"):
        fetch_hf_config(REPO, cache_dir=hf_cache)


def test_looks_like_repo_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert looks_like_repo_id(REPO)
    assert not looks_like_repo_id("llama-3-8b")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "config.json").write_text("{}")
    assert not looks_like_repo_id("models/config.json")  # an existing local path
    assert hub.looks_like_repo_id("org/model.v2")


def test_hook_feeds_resolve_model(hf_cache: Path) -> None:
    """The Hub hook end to end: an unknown "org/name" becomes an architecture from its config."""
    from spicetrader.models.registry import resolve_model

    arch = resolve_model(REPO, fetch_config=lambda repo: fetch_hf_config(repo, cache_dir=hf_cache))
    # TinyLlama-1.1B: 22 layers, hidden 2048, GQA 32/4 heads, FFN 5632, vocab 32000, untied
    # embeddings: 1,100,048,384 parameters (the count its model card rounds to 1.1B)
    assert arch.total_params() == 1_100_048_384
