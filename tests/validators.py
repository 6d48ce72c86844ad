"""The validators readers' tools stand for, as the tests call them: the Nu HTML Checker
(``vnu.jar``, from the npm package vnu-jar), LibreOffice, run headless, and qpdf.

``.ci/run`` installs them; on another machine a test that needs one skips without it, or
fails when ``ASHYQ_REQUIRE_VALIDATORS`` is set (as in CI), so CI never passes by skipping.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, NoReturn

import pytest

ROOT = Path(__file__).parents[1]
# Where .ci/run installs the test tools of the npm registry (tests/tools/package.json).
_VNU_JAR = ROOT / "tests/tools/node_modules/vnu-jar/build/dist/vnu.jar"


def _missing(what: str) -> NoReturn:
    if os.environ.get("ASHYQ_REQUIRE_VALIDATORS"):
        pytest.fail(f"{what} is not installed, and ASHYQ_REQUIRE_VALIDATORS is set")
    pytest.skip(f"{what} is not installed (.ci/run installs it)")


def vnu_errors(files: list[Path]) -> list[dict[str, Any]]:
    """The errors the Nu HTML Checker finds in ``files`` (warnings left aside), each with
    the file it is in; one run of the checker for all of them."""
    java = shutil.which("java")
    if java is None or not _VNU_JAR.is_file():
        _missing("the Nu HTML Checker (java and tests/tools' vnu-jar)")
    done = subprocess.run(
        [java, "-jar", str(_VNU_JAR), "--errors-only", "--format", "json", "--stdout"]
        + [str(file) for file in files],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    messages: list[dict[str, Any]] = json.loads(done.stdout or '{"messages": []}')["messages"]
    return [m for m in messages if m.get("type") == "error" or m.get("subType") == "fatal"]


def libreoffice_pdf(document: Path, folder: Path) -> Path:
    """``document`` converted to PDF by LibreOffice, headless, as a reader's copy opens it
    (fields are not updated); returns the PDF's path."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        _missing("LibreOffice")
    profile = folder / "profile"
    subprocess.run(
        [
            office,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(document),
        ],
        capture_output=True,
        timeout=300,
        check=True,
    )
    return folder / f"{document.stem}.pdf"


def qpdf_check(pdf: Path) -> str:
    """What ``qpdf --check`` finds wrong with ``pdf``: empty when it exits 0 (sound), else
    its report (exit 3: warnings, 2: errors)."""
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        _missing("qpdf")
    done = subprocess.run(
        [qpdf, "--check", str(pdf)], capture_output=True, text=True, timeout=300, check=False
    )
    return "" if done.returncode == 0 else f"exit {done.returncode}: {done.stdout}{done.stderr}"


# Where .ci/run installs the OpenAPI client generator: a virtual environment of its own,
# since it pins another Typer than Ashyq's.
_GENERATOR = ROOT / "tests/tools/venv/bin/openapi-python-client"


def generated_client(spec: Path, folder: Path) -> Path:
    """Generate a Python client from the OpenAPI description ``spec`` into ``folder``
    with openapi-python-client, as an integrator would; returns the package's folder."""
    if not _GENERATOR.is_file():
        _missing("openapi-python-client (tests/tools/venv)")
    package = folder / "ashyq_client"
    options = ["--path", str(spec), "--meta", "none", "--output-path", str(package)]
    subprocess.run(
        [str(_GENERATOR), "generate", *options],
        capture_output=True,
        timeout=300,
        check=True,
    )
    return package


def generator_python() -> Path:
    """The interpreter of the generator's environment, which has what a generated client
    imports (httpx, attrs, dateutil)."""
    return _GENERATOR.parent / "python"
