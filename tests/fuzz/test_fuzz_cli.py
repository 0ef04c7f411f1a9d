"""Fuzz the CLI with argument lists: exit status 0, 1 or 2 only, no traceback, strict JSON.

Commands that reach outside (``serve``, ``launch``, ``probe``, ``offers refresh``) are left out;
their argument parsing is typer's and their edges have their own tests.
"""

from __future__ import annotations

from fuzzcheck import assert_strict_json
from hypothesis import given
from hypothesis import strategies as st
from strategies import HARDWARE, MODELS, PRECISIONS, TASKS, number_text, text
from typer.testing import CliRunner

from conftest import FuzzCounts, examples
from spicetrader.cli.app import app

runner = CliRunner()

COMMANDS = [
    ["estimate"], ["plan"], ["hardware", "list"], ["hardware", "show"], ["systems"],
    ["free-tiers"], ["offers"], ["offers", "add"], ["models", "list"], ["models", "show"],
]  # fmt: skip
WEIGHTS = [30, 8, 4, 6, 4, 2, 4, 6, 3, 8]
_int = st.integers(-2, 10**6).map(str)
_float = st.floats(-1, 1e7, allow_nan=False).map(repr)
FLAGS: dict[str, st.SearchStrategy[str]] = {
    "--hardware": st.sampled_from(HARDWARE), "--precision": st.sampled_from(PRECISIONS),
    "--task": st.sampled_from(TASKS), "--engine": st.sampled_from(["vllm", "llama.cpp", "mlx"]),
    "--kv-cache": st.sampled_from(["fp16", "fp8"]), "--prompt": _int, "--output": _int,
    "--batch": st.one_of(_int, st.just("max")), "--devices": _int, "--memory-gb": _float,
    "--method": st.sampled_from(["full", "lora", "qlora"]), "--tokens": _float,
    "--seq-len": _int, "--micro-batch": _int, "--lora-rank": _int, "--resolution": _int,
    "--steps": _int, "--images": _int, "--usage-hours-per-month": _float,
    "--deadline-hours": _float, "--budget-usd": _float, "--months": _float,
    "--only": st.sampled_from(["rent", "buy,mac", "free", "x"]), "--min-tokens-per-s": _float,
    "--gpu": st.sampled_from([*HARDWARE, "a100"]), "--min-gpus": _int, "--max-price": _float,
    "--provider": st.sampled_from(["aws", "lambda", "acme"]), "--count": _int,
    "--price-usd-per-hour": _float, "--spot-price": _float, "--instance": text, "--note": text,
    "--as-of": st.sampled_from(["2026-11-20", "2026-13-01", "x"]),
    "--vendor": st.sampled_from(["nvidia", "apple", "x"]), "--min-memory-gb": _float,
    "--family": st.sampled_from(["llama", "qwen2", "x"]),
}  # fmt: skip
_COMMON = ["--hardware", "--precision", "--engine", "--kv-cache", "--devices", "--memory-gb"]
_TASK = {
    "inference": ["--prompt", "--output", "--batch"],
    "finetune": ["--method", "--tokens", "--seq-len", "--micro-batch", "--lora-rank"],
    "pretrain": ["--tokens", "--seq-len"],
    "image": ["--resolution", "--steps", "--images", "--batch"],
}
_PLAN = [
    "--usage-hours-per-month",
    "--deadline-hours",
    "--budget-usd",
    "--months",
    "--only",
    "--min-tokens-per-s",
]
APPLIES: dict[str, list[str]] = {
    "hardware list": ["--vendor", "--min-memory-gb"], "models list": ["--family"],
    "offers": ["--gpu", "--min-gpus", "--max-price", "--provider"],
    "offers add": ["--provider", "--gpu", "--count", "--price-usd-per-hour", "--spot-price",
                   "--instance", "--note", "--as-of"],
}  # fmt: skip


def _applies(command: list[str], task: str) -> list[str]:
    name = " ".join(command)
    if name == "estimate":
        return _COMMON + _TASK[task]
    if name == "plan":
        return [f for f in _COMMON if f != "--hardware"] + _TASK[task] + _PLAN
    return APPLIES.get(name, [])


SWITCHES = ["--json", "--json", "--json", "--nope", "--help"]


@st.composite
def option(draw: st.DrawFn, flags: list[str]) -> list[str]:
    roll = draw(st.integers(0, 19))
    if roll <= 15 and flags:  # a flag of the command with a plausible value, 1 in 5 an odd one
        flag = draw(st.sampled_from(flags))
        odd = draw(st.integers(0, 4)) == 4
        return [flag, draw(st.one_of(number_text, text) if odd else FLAGS[flag])]
    if roll <= 17:
        return [draw(st.sampled_from(SWITCHES))]
    if roll == 18:
        return [draw(st.sampled_from(sorted(FLAGS))), draw(text)]  # a flag of another command
    return [draw(st.one_of(text, number_text))]


@st.composite
def argv(draw: st.DrawFn) -> list[str]:
    index = draw(st.sampled_from([i for i, w in enumerate(WEIGHTS) for _ in range(w)]))
    args = list(COMMANDS[index])
    task = draw(st.sampled_from(TASKS))
    if index <= 1 and task != "inference":
        args += ["--task", task]
    if index <= 1 or COMMANDS[index][-1] == "show":
        names = MODELS if index != 3 else HARDWARE
        if draw(st.integers(0, 9)) < 9:
            args.append(draw(st.sampled_from(names) if draw(st.integers(0, 4)) < 4 else text))
    if index == 7:  # offers add: the required flags, mostly
        for flag in ("--provider", "--gpu", "--count", "--price-usd-per-hour"):
            if draw(st.integers(0, 9)) < 9:
                args += [flag, draw(FLAGS[flag])]
    for part in draw(st.lists(option(_applies(COMMANDS[index], task)), max_size=4)):
        args.extend(part)
    if index == 0 and "--hardware" not in args and draw(st.integers(0, 4)) < 4:
        args += ["--hardware", draw(st.sampled_from(HARDWARE))]
    return args


def _plain(args: list[str]) -> bool:
    return "--help" not in args and "--json" in args


@examples(120)
@given(args=argv())
def test_cli_any_arguments(args: list[str], fuzz_counts: FuzzCounts) -> None:
    fuzz_counts["cli: argument lists"] += 1
    result = runner.invoke(app, args)
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.output)
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), (args, repr(result.exception))
    assert "Traceback" not in result.output
    if result.exit_code == 0 and _plain(args) and result.stdout.strip():
        assert_strict_json(result.stdout)
