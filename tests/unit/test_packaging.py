"""A regular (non-editable) install carries the templates, SQL, static files and examples."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_wheel_holds_every_resource_and_runs_from_them(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("civica-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    for folder in ("templates", "sql", "static"):
        source = {
            p.relative_to(REPO / folder).as_posix()
            for p in (REPO / folder).rglob("*")
            if p.is_file()
        }
        packaged = {
            n.removeprefix(f"service/_resources/{folder}/")
            for n in names
            if n.startswith(f"service/_resources/{folder}/")
        }
        assert source <= packaged, f"{folder}: missing {sorted(source - packaged)[:5]}"
    assert "service/_resources/examples/opp-2018.toml" in names
    assert "service/locale/pt_PT/LC_MESSAGES/messages.po" in names
    probe = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            "import sys; sys.path.insert(0, sys.argv[1]);"
            "from service.resources import resource_dir;"
            "from service.migrations import load_migrations;"
            "print(resource_dir('templates')); print(len(load_migrations()))",
            str(tmp_path / "site"),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    templates_dir, migrations = probe.stdout.split()
    assert templates_dir.startswith(str(tmp_path / "site"))
    assert int(migrations) == len(list((REPO / "sql" / "migrations").glob("*.sql")))
