"""The verifier runs without the service: import isolation, and the zipapp bundle run for real
in a fresh virtual environment that holds only PyNaCl (and the cffi it needs)."""

import json
import subprocess
import sys
import venv
from pathlib import Path

import nacl
import pytest

from service.commands.verifier_bundle import build_bundle

REPO = Path(__file__).resolve().parents[3]
VECTORS = REPO / "tests" / "vectors"
FORBIDDEN = ("asyncpg", "starlette", "service", "proposals", "httpx", "jinja2")


def test_the_verifier_imports_nothing_of_the_service() -> None:
    code = (
        "import json, sys\n"
        "import verification.verifier, verification.recount, verification.cli\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    loaded = json.loads(result.stdout)
    offending = [m for m in loaded if m.split(".")[0] in FORBIDDEN]
    assert offending == []
    assert "nacl" in loaded
    assert "ballots.tally" in loaded


@pytest.fixture(scope="module")
def pynacl_only_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv whose site-packages holds PyNaCl and its runtime dependencies only.

    The packages are linked from this environment (the machine is offline, so nothing is
    downloaded): nacl, cffi and its compiled backend, pycparser.
    """
    root = tmp_path_factory.mktemp("pynacl-only")
    venv.EnvBuilder(with_pip=False).create(root / "venv")
    python = root / "venv" / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    source = Path(nacl.__file__).resolve().parents[1]
    for name in ("nacl", "cffi", "pycparser", *(p.name for p in source.glob("_cffi_backend*"))):
        (Path(purelib) / name).symlink_to(source / name)
    return python


def _run_bundle(python: Path, bundle: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), "-I", str(bundle), *arguments],
        cwd=bundle.parent,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )


def test_the_bundle_verifies_a_record_with_only_pynacl(
    pynacl_only_python: Path, tmp_path: Path
) -> None:
    bundle = tmp_path / "civica-verify.pyz"
    files = build_bundle(bundle)
    assert "verification/verifier.py" in files
    assert "ballots/tally/__init__.py" in files
    assert not any(name.endswith("repository.py") for name in files)

    probe = _run_bundle(pynacl_only_python, bundle, "--help")
    assert probe.returncode == 0, probe.stderr
    isolated = subprocess.run(
        [str(pynacl_only_python), "-I", "-c", "import starlette"], capture_output=True, check=False
    )
    assert isolated.returncode != 0  # the environment really lacks the service's dependencies

    clean = _run_bundle(pynacl_only_python, bundle, "verify", str(VECTORS / "clean"), "--json")
    assert clean.returncode == 0, clean.stderr
    assert json.loads(clean.stdout)["ok"] is True

    tampered = _run_bundle(pynacl_only_python, bundle, "verify", str(VECTORS / "winners_altered"))
    assert tampered.returncode == 1
    assert "result-winners [scope 1]" in tampered.stdout

    receipt = VECTORS / "clean" / "receipt.json"
    honoured = _run_bundle(
        pynacl_only_python,
        bundle,
        "verify-receipt",
        str(receipt),
        "--record",
        str(VECTORS / "clean"),
    )
    assert honoured.returncode == 0, honoured.stderr
    assert "honoured" in honoured.stdout

    missing = _run_bundle(pynacl_only_python, bundle, "verify", str(tmp_path / "nothing"))
    assert missing.returncode == 2
