"""`civica verifier-bundle OUT.pyz`: the verifier as one file an observer runs with PyNaCl only.

The zipapp holds `verification/` (without database code) and the pure `ballots` modules the
recount needs, and a `__main__` that runs `verification.cli`:
`python civica-verify.pyz verify RECORD`.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import zipapp
from pathlib import Path

from service.commands.common import fail

REPO = Path(__file__).resolve().parents[2]
PACKAGES = {
    "verification": ("**/*.py",),
    "ballots": ("__init__.py", "model.py", "rules.py", "tally/*.py"),
}
EXCLUDED = {"repository.py"}  # database code never goes into the bundle
MAIN = '''"""civica's standalone verifier: python civica-verify.pyz verify RECORD."""

import sys

from verification.cli import main

sys.exit(main())
'''


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "verifier-bundle",
        help="write the standalone verifier (a Python zipapp needing only PyNaCl)",
    )
    parser.add_argument("output", type=Path, help="where to write it, e.g. civica-verify.pyz")
    parser.set_defaults(func=run)


def build_bundle(output: Path, source: Path = REPO) -> list[str]:
    """Write the zipapp to `output`; return the files it holds."""
    with tempfile.TemporaryDirectory(prefix="civica-bundle-") as staging:
        root = Path(staging)
        files = []
        for package, patterns in PACKAGES.items():
            for pattern in patterns:
                for path in sorted((source / package).glob(pattern)):
                    if path.name in EXCLUDED or "__pycache__" in path.parts:
                        continue
                    relative = path.relative_to(source)
                    (root / relative).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, root / relative)
                    files.append(str(relative))
        (root / "__main__.py").write_text(MAIN, encoding="utf-8")
        zipapp.create_archive(root, output, interpreter="/usr/bin/env python3", compressed=True)
    return sorted(files)


def run(args: argparse.Namespace) -> int:
    try:
        files = build_bundle(args.output)
    except OSError as error:
        return fail(f"cannot write {args.output}: {error}")
    print(f"wrote {args.output} ({len(files)} modules); run: python {args.output} verify RECORD")
    return 0
