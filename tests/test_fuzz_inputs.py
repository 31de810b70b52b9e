"""Hostile and broken input files: every one loads or gets a located error, quickly, in
bounded memory, and none runs code (docs/reliability.md).

Hypothesis feeds the scenario and experiment-spec loaders random bytes, mutations of the
shipped files (cut, spliced, characters replaced, lines repeated), TOML documents of the
right shape with values of every kind, and random ``--set`` overrides. The only exception
allowed out of a loader is ``ScenarioError``, and its message must name the file. Each
example has a deadline and a cap on the memory it may allocate. The coverage-guided
counterpart (atheris) is ``fuzz/loaders.py``, run by ``test_atheris_finds_no_crash``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
from importlib import resources
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import quotasim
from quotasim.errors import ScenarioError
from quotasim.experiments.spec import load_spec
from quotasim.tomlfile import MAX_INPUT_BYTES

ROOT = Path(__file__).resolve().parents[1]
SCENARIO_TEXTS = [(Path(str(resources.files("quotasim") / "scenarios")) / f"{name}.toml").read_bytes()
                  for name in quotasim.scenario.builtin_names()]
SPEC_TEXTS = [path.read_bytes() for path in sorted((ROOT / "experiments").glob("*.toml"))]
#: Memory one load may allocate: a megabyte of input parses into far less than this.
MEMORY_CAP = 64 * 2**20
FUZZ = settings(max_examples=300, deadline=2_000, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])


@pytest.fixture(autouse=True, scope="module")
def _imports_done():
    """Load each kind once first: the first load imports the design libraries, which is
    neither slow input nor memory an input made the loader allocate."""
    quotasim.load_scenario("baseline")
    for path in sorted((ROOT / "experiments").glob("*.toml")):
        load_spec(path)


def load_or_located_error(load, folder: Path, data: bytes) -> None:
    """Written as a file, ``data`` either loads or raises a ScenarioError naming the file; within the memory cap."""
    path = folder / "input.toml"
    path.write_bytes(data)
    tracemalloc.start()
    try:
        load(path)
    except ScenarioError as exc:
        assert str(path) in str(exc), str(exc)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < MEMORY_CAP, f"loading took {peak:,} bytes"


def load_scenario_file(path: Path):
    return quotasim.load_scenario(path)


def load_spec_file(path: Path):
    return load_spec(path)


@st.composite
def mutated(draw, texts: list[bytes]) -> bytes:
    """A shipped file, cut, spliced, with characters replaced or lines repeated."""
    data = bytearray(draw(st.sampled_from(texts)))
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["cut", "insert", "replace", "repeat"]))
        at = draw(st.integers(0, len(data)))
        if kind == "cut":
            del data[at:at + draw(st.integers(1, 200))]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=40) | st.sampled_from(
                [b"[", b"]]", b"=", b'"', b"\n[population]\n", b"-1", b"1e999", b"nan", b"inf", b"{", b"\\u0000",
                 b"extends = \"/dev/zero\"\n", b"months = 99999999\n", b"[[timeline]]\n"]))
        elif kind == "replace" and data:
            data[min(at, len(data) - 1)] = draw(st.integers(0, 255))
        elif kind == "repeat":
            lines = data.split(b"\n")
            line = lines[min(at, len(lines) - 1)]
            data = bytearray(b"\n".join(lines + [line] * draw(st.integers(1, 3))))
    return bytes(data)


_scalars = (st.integers(-2**70, 2**70) | st.floats(allow_nan=True, allow_infinity=True) | st.booleans()
            | st.text(max_size=30) | st.dates())
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=12)


def _names(group: str) -> list[str]:
    from quotasim.scenario import MECHANISM_GROUPS
    model = MECHANISM_GROUPS.get(group)
    return list(model.model_fields) if model is not None else ["n_companies", "n_trade_officials",
                                                                 "n_overseas_workers", "rule", "sanctions_china"]


_GROUPS = ["population", "behaviour", "environment", "ratchet", "quota", "pipeline", "decentralisation", "arrest"]


@st.composite
def scenario_shaped(draw) -> bytes:
    """A TOML document with the scenario's keys and values of any kind."""
    document = {}
    for key in draw(st.lists(st.sampled_from(["name", "months", "start", "extends", "description", "seed"]),
                             max_size=4, unique=True)):
        document[key] = draw(_values)
    for group in draw(st.lists(st.sampled_from(_GROUPS), max_size=4, unique=True)):
        names = st.sampled_from(_names(group)) | st.text(min_size=1, max_size=10)
        document[group] = draw(st.dictionaries(names, _values, max_size=5))
    if draw(st.booleans()):
        document["timeline"] = draw(st.lists(st.fixed_dictionaries(
            {"date": st.sampled_from(["2017-09", "1999-01", "2017-13", "x"]) | st.text(max_size=8),
             "set": st.dictionaries(st.sampled_from(["environment.sanctions_china", "ratchet.up_rate", "months",
                                                     "population.n_companies", "nope.x"]), _values, max_size=3)}),
            max_size=3))
    return tomli_w.dumps(document).encode()


@st.composite
def spec_shaped(draw) -> bytes:
    """A TOML document with an experiment spec's keys and values of any kind."""
    document = {"name": draw(st.text(max_size=10) | _values)}
    for key in draw(st.lists(st.sampled_from(["scenario", "months", "seed", "replications", "max_runs",
                                              "common_random_numbers", "set"]), max_size=4, unique=True)):
        document[key] = draw(_values)
    method = draw(st.sampled_from(["grid", "lhs", "sobol", "morris", "other"]))
    document["design"] = {"method": method, **draw(st.dictionaries(
        st.sampled_from(["samples", "levels", "trajectories", "second_order"]),
        st.integers(-5, 2**40) | _values, max_size=3))}
    parameter = st.fixed_dictionaries({}, optional={"low": _values, "high": _values, "values": _values,
                                                    "levels": _values})
    document["parameters"] = draw(st.dictionaries(
        st.sampled_from(["ratchet.up_rate", "population.n_trade_officials", "behaviour.rule", "months", "x.y"]),
        parameter, max_size=3))
    return tomli_w.dumps(document).encode()


@pytest.mark.parametrize("load", [load_scenario_file, load_spec_file], ids=["scenario", "spec"])
@FUZZ
@given(data=st.binary(max_size=2_000))
def test_random_bytes(tmp_path, load, data):
    load_or_located_error(load, tmp_path, data)


@FUZZ
@given(data=mutated(SCENARIO_TEXTS))
def test_mutated_scenarios(tmp_path, data):
    load_or_located_error(load_scenario_file, tmp_path, data)


@FUZZ
@given(data=mutated(SPEC_TEXTS))
def test_mutated_experiment_specs(tmp_path, data):
    load_or_located_error(load_spec_file, tmp_path, data)


@FUZZ
@given(data=scenario_shaped())
def test_scenario_shaped_documents(tmp_path, data):
    load_or_located_error(load_scenario_file, tmp_path, data)


@FUZZ
@given(data=spec_shaped())
def test_spec_shaped_documents(tmp_path, data):
    load_or_located_error(load_spec_file, tmp_path, data)


@FUZZ
@given(override=st.text(max_size=60) | st.builds(lambda k, v: f"{k}={v}", st.sampled_from(
    ["ratchet.up_rate", "months", "population.n_companies", "behaviour.rule", "environment", "a.b.c", ""]),
    st.text(max_size=40) | st.sampled_from(["[" * 2000, "{a=" * 500, "1e999", "-1", "nan", "true"])))
def test_random_overrides(override):
    try:
        quotasim.load_scenario("baseline", [override])
    except ScenarioError as exc:
        assert "--set" in str(exc) or "baseline" in str(exc), str(exc)


# ----------------------------------------------------------------- shapes found by issue 17
SMALL_FUZZ = settings(max_examples=60, deadline=5_000, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                               HealthCheck.too_slow])


@st.composite
def deeply_nested(draw) -> bytes:
    """Nesting beyond 32 levels built every way TOML allows: dotted keys, table headers,
    arrays of tables, inline tables, arrays, and mixtures, under real or made-up keys."""
    depth = draw(st.integers(33, 4000))
    key = draw(st.sampled_from(["x", "ratchet", "timeline", "set", "parameters", "free", "a-b", '"q.k"']))
    shape = draw(st.sampled_from(["dotted", "header", "array header", "inline", "array", "mixed"]))
    keys = ".".join([key] * depth)
    body = {"dotted": f"{keys} = 1\n", "header": f"[{keys}]\nv = 1\n", "array header": f"[[{keys}]]\nv = 1\n",
            "inline": "v = " + "{ a = " * depth + "1" + " }" * depth + "\n",
            "array": "v = " + "[" * depth + "1" + "]" * depth + "\n",
            "mixed": f"[{'.'.join([key] * (depth // 2))}]\n{'.'.join([key] * (depth - depth // 2))} = 1\n"}[shape]
    prefix = draw(st.sampled_from(["", 'extends = "baseline"\n', 'name = "deep"\n']))
    return (prefix + body).encode()


@pytest.mark.parametrize("load", [load_scenario_file, load_spec_file, "targets"], ids=["scenario", "spec", "targets"])
@SMALL_FUZZ
@given(data=deeply_nested())
def test_deep_nesting_of_every_shape(tmp_path, load, data):
    """Every such document is a located error (before: a RecursionError from copying,
    merging, flattening or printing it)."""
    if load == "targets":
        from quotasim.calibration.targets import load_targets
        load = lambda path: load_targets(path, quotasim.load_scenario("baseline"))   # noqa: E731
    path = tmp_path / "input.toml"
    path.write_bytes(data)
    with pytest.raises(ScenarioError, match="nested") as error:
        load(path)
    assert str(path) in str(error.value)


@st.composite
def long_timeline(draw) -> bytes:
    entries = draw(st.integers(0, 14_000))
    entry = draw(st.sampled_from([
        "[[timeline]]\n", '[[timeline]]\ndate = "2017-01"\n',
        '[[timeline]]\ndate = "2018-06"\nset = { "environment.sanctions_china" = 0.5 }\n',
        '[[timeline]]\ndate = "2019-02"\nset = { "ratchet.up_rate" = 0.2, "behaviour.rule" = "fixed" }\n',
        '[[timeline]]\ndate = "2016-01"\nset = { "ratchet.up_rate" = 9 }\n']))
    text = 'extends = "baseline"\n' + entry * entries
    return text[:300 * 1024].encode()      # beyond the 256 KiB; parsing a full MiB alone takes seconds here


@SMALL_FUZZ
@given(data=long_timeline())
def test_long_timelines_load_or_are_refused_in_linear_time(tmp_path, data):
    """Up to 300 KiB of timeline (14,000 entries): loads or gets a located error within the
    deadline (before: each entry re-checked the whole scenario, 40 KB took minutes)."""
    load_or_located_error(load_scenario_file, tmp_path, data)


@st.composite
def extends_chain(draw) -> list[str]:
    """Files f0 ... fN, each extending the next by one of several spellings; the last
    extends a built-in scenario, a missing file, or one of the chain (a loop)."""
    length = draw(st.integers(1, 60))
    spell = st.sampled_from(["{name}", "./{name}", "../chain/{name}", "sub/../{name}", "{absolute}"])
    files = []
    for index in range(length):
        files.append(draw(spell).replace("{name}", f"f{index + 1}.toml").replace("{absolute}", f"ABS/f{index + 1}.toml"))
    end = draw(st.one_of(st.just("baseline"), st.just("missing.toml"),
                         st.integers(0, length - 1).map(lambda index: f"f{index}.toml")))
    files[-1] = end
    return files


@SMALL_FUZZ
@given(chain=extends_chain())
def test_extends_chains_and_loops(tmp_path_factory, chain):
    folder = tmp_path_factory.mktemp("extends") / "chain"      # "../chain/" spellings find this folder
    (folder / "sub").mkdir(parents=True)
    for index, parent in enumerate(chain):
        (folder / f"f{index}.toml").write_text(f'extends = "{parent.replace("ABS", str(folder))}"\nmonths = 12\n')
    try:
        scenario = quotasim.load_scenario(folder / "f0.toml")
    except ScenarioError as exc:
        assert str(folder / "f0.toml") in str(exc)
        assert any(words in str(exc) for words in ("circular extends", "at most 16 files", "cannot read", "no such"))
    else:
        assert len(chain) < 16 and scenario.months == 12


KERNEL_FILES = [path for path in ("/proc/kmsg", "/proc/self/status", "/proc/self/environ", "/proc/self/mem",
                                  "/proc/sysrq-trigger", "/sys/kernel/mm/transparent_hugepage/enabled",
                                  "/sys/power/state") if os.path.exists(path)]


@pytest.mark.parametrize("target", KERNEL_FILES)
@pytest.mark.parametrize("kind", ["scenario", "extends", "spec", "spec scenario", "targets"])
def test_kernel_files_are_refused_by_kind(tmp_path, target, kind):
    """Regular-looking files of proc and sysfs (``/proc/kmsg`` blocks a reader for ever)."""
    from quotasim.calibration.targets import load_targets
    wrapper = tmp_path / "wrapper.toml"
    if kind == "extends":
        wrapper.write_text(f'extends = "{target}"\n')
    elif kind == "spec scenario":
        wrapper.write_text(f'name = "k"\nscenario = "{target}"\n[design]\nmethod = "lhs"\nsamples = 2\n'
                           '[parameters]\n"ratchet.up_rate" = { low = 0.1, high = 0.9 }\n')
    load = {"scenario": quotasim.load_scenario, "extends": quotasim.load_scenario, "spec": load_spec,
            "spec scenario": load_spec, "targets": load_targets}[kind]
    with pytest.raises(ScenarioError, match="kernel file"):
        load(Path(target) if kind in ("scenario", "spec", "targets") else wrapper)


SPEC_INTS = ["seed", "replications", "max_runs", "months"]
SPEC_SWITCHES = ["common_random_numbers"]


@SMALL_FUZZ
@given(field=st.sampled_from(SPEC_INTS + SPEC_SWITCHES + ["design.samples", "outputs.reviews"]),
       value=st.one_of(st.booleans(), st.text(max_size=5), st.floats(allow_nan=False, allow_infinity=False),
                       st.integers(1, 5)))
def test_spec_numbers_and_switches_have_strict_types(tmp_path, field, value):
    """A boolean is not a number, and text or a number is not a switch: each is refused, named."""
    from experiment_specs import spec_dict
    data = spec_dict()
    if field == "design.samples":
        data["design"] = {"method": "lhs", "samples": value}
    elif field == "outputs.reviews":
        data["outputs"] = {**data["outputs"], "reviews": value}
    else:
        data[field] = value
    wants_int = field in SPEC_INTS or field == "design.samples"
    right_kind = (type(value) is int) if wants_int else (type(value) is bool)
    path = tmp_path / "spec.toml"
    path.write_text(tomli_w.dumps(data))
    if right_kind:
        return
    with pytest.raises(ScenarioError) as error:
        load_spec(path)
    assert str(path) in str(error.value) and field.split(".")[-1] in str(error.value)


# ----------------------------------------------------------------- files that are not files
@pytest.mark.parametrize("target", ["/dev/zero", "/dev/urandom", "/proc/self/status", "."])
def test_special_files_are_refused_at_once(tmp_path, target):
    scenario = tmp_path / "scenario.toml"
    scenario.write_text(f'extends = "{target}"\n' if target != "." else 'extends = "."\n')
    for path in (scenario, Path(target)):
        with pytest.raises(ScenarioError, match="cannot read|not valid TOML|not a regular file"):
            quotasim.load_scenario(path)


def test_oversized_file_is_refused_without_reading_it(tmp_path):
    big = tmp_path / "big.toml"
    big.write_bytes(b"# padding\n" * (MAX_INPUT_BYTES // 10 + 1))
    for load in (quotasim.load_scenario, load_spec):
        with pytest.raises(ScenarioError, match="at most 1,048,576 bytes"):
            load(big)


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)           # opening a FIFO for reading would block until a writer came
    with pytest.raises(ScenarioError, match="not a regular file"):
        quotasim.load_scenario(fifo)


def test_deep_nesting_is_a_located_error(tmp_path):
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(ScenarioError, match=str(deep)):
        quotasim.load_scenario(deep)


def test_scenario_files_never_execute_code(tmp_path):
    """Values that would do something if evaluated are data: kept as text or refused."""
    witness = tmp_path / "executed"
    payloads = [f"__import__('pathlib').Path({str(witness)!r}).touch()",
                f"{{{{ cycler.__init__.__globals__.os.system('touch {witness}') }}}}",
                f"!!python/object/apply:os.system ['touch {witness}']",
                f"$(touch {witness})"]
    for number, payload in enumerate(payloads):
        path = tmp_path / f"s{number}.toml"
        path.write_text(tomli_w.dumps({"extends": "baseline", "name": payload, "description": payload,
                                       "ratchet": {"up_rate": payload}}))
        with pytest.raises(ScenarioError, match="ratchet.up_rate"):
            quotasim.load_scenario(path)
        path.write_text(tomli_w.dumps({"extends": "baseline", "name": payload, "description": payload}))
        assert quotasim.load_scenario(path).name == payload          # plain text, nothing more
        with pytest.raises(ScenarioError):
            quotasim.load_scenario("baseline", [f"name={payload}", f"ratchet.up_rate={payload}"])
        (tmp_path / "py.py").write_text(f"import pathlib; pathlib.Path({str(witness)!r}).touch()\n")
        path.write_text('extends = "py.py"\n')
        with pytest.raises(ScenarioError, match="not valid TOML"):
            quotasim.load_scenario(path)
    assert not witness.exists()


# ----------------------------------------------------------------- coverage-guided (atheris)
@pytest.mark.slow
@pytest.mark.parametrize("target", ["scenario", "spec"])
def test_atheris_finds_no_crash(tmp_path, target):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for number, text in enumerate(SCENARIO_TEXTS if target == "scenario" else SPEC_TEXTS):
        (corpus / f"seed{number}.toml").write_bytes(text)
    done = subprocess.run([sys.executable, str(ROOT / "fuzz" / "loaders.py"), "-runs=10000", "-max_len=4096",
                           f"-artifact_prefix={tmp_path}/", str(corpus)],
                          env={**os.environ, "QUOTASIM_FUZZ_TARGET": target, "QUOTASIM_FUZZ_DIR": str(tmp_path)},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Done 10000 runs" in done.stderr
