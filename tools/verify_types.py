"""Type completeness of the installed ``wandb_typed``, as users see it: 100% or a failure.

Builds the wheel into a temporary folder, installs it (without dependencies) into a throwaway
environment whose ``python`` also sees this venv's packages (pydantic, httpx, pandas...), and
runs ``pyright --verifytypes wandb_typed --ignoreexternal`` there. An editable install is no
use for this: pyright finds no ``py.typed`` through it and reports 0%.

Fails (exit 1) unless the completeness score is 100% and no public class or function lacks a
docstring, and prints every offending symbol by its full name with pyright's reason::

    .venv/bin/python tools/verify_types.py            # what `make typecheck` runs
    .venv/bin/python tools/verify_types.py --keep     # keep the temporary folder to dig in

The score counts every symbol the public modules expose, and every symbol their types refer to
(the generated client behind ``Api.client`` included): a method added without annotations, or
a class without a docstring, is named here.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "wandb_typed"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="verifytypes-"))
    try:
        python = _install_wheel(folder)
        report = _verify(python, folder)
    finally:
        if args.keep:
            print(f"kept {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return _judge(report)


def _install_wheel(folder: Path) -> Path:
    """Build the wheel and install it into a bare venv in ``folder``; return its python."""
    dist = folder / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
          "--wheel-dir", str(dist), str(ROOT)])  # fmt: skip
    wheels = list(dist.glob("wandb_typed-*.whl"))
    if len(wheels) != 1:
        raise SystemExit(f"expected one wandb_typed wheel in {dist}, found {wheels}")
    venv = folder / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    purelib = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    _run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
          str(purelib), str(wheels[0])])  # fmt: skip
    # The wheel's dependencies come from this venv: its site-packages goes on the throwaway
    # environment's path *after* the wheel (the .pth files there, the editable install's
    # among them, are not read: only a site directory's own .pth files are).
    (purelib / "_project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def _verify(python: Path, folder: Path) -> dict[str, Any]:
    # pyright --verifytypes resolves imports with the first `python` on PATH (it ignores
    # --pythonpath), and from its working directory: both point at the throwaway environment.
    env = dict(os.environ)
    env["PATH"] = f"{python.parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYRIGHT_PYTHON_IGNORE_WARNINGS"] = "1"
    pyright = Path(sys.executable).parent / "pyright"
    done = subprocess.run(
        [str(pyright), "--verifytypes", PACKAGE, "--ignoreexternal", "--outputjson"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
    )
    try:
        report: dict[str, Any] = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"pyright gave no report:\n{done.stdout}\n{done.stderr}") from None
    return report


def _judge(report: dict[str, Any]) -> int:
    completeness = report["typeCompleteness"]
    for diagnostic in report.get("generalDiagnostics", []):
        print(f"pyright: {diagnostic.get('message')}")
    problems: list[str] = []
    for symbol in completeness["symbols"]:
        for diagnostic in symbol["diagnostics"]:
            message = " ".join(diagnostic["message"].split())
            where = diagnostic.get("file", "")
            if where:
                line = diagnostic.get("range", {}).get("start", {}).get("line")
                where = f" ({_short(where)}:{line + 1 if line is not None else '?'})"
            problems.append(f"{symbol['name']}: {message}{where}")
        if not symbol["diagnostics"] and not symbol["isTypeKnown"]:
            kind = "ambiguous" if symbol["isTypeAmbiguous"] else "unknown"
            problems.append(f"{symbol['name']}: {kind} {symbol['category']} (through what it uses)")
    exported = completeness["exportedSymbolCounts"]
    other = completeness["otherSymbolCounts"]
    score = completeness["completenessScore"]
    summary = (
        f"type completeness of {PACKAGE}: {score:.1%} "
        f"(exported symbols: {exported['withKnownType']} known, "
        f"{exported['withAmbiguousType']} ambiguous, {exported['withUnknownType']} unknown; "
        f"referenced: {other['withKnownType']} known, {other['withAmbiguousType']} ambiguous, "
        f"{other['withUnknownType']} unknown); without docstring: "
        f"{completeness['missingFunctionDocStringCount']} functions, "
        f"{completeness['missingClassDocStringCount']} classes"
    )
    unique = sorted(set(problems))
    # A symbol that is "partially unknown" only through another one is a consequence: they
    # come first, the causes (a missing annotation or docstring...) last, by the summary.
    consequences = [p for p in unique if any(mark in p for mark in _CONSEQUENCE)]
    causes = [p for p in unique if p not in consequences]
    if consequences:
        print(f"-- {len(consequences)} symbol(s) whose types depend on the causes below:")
        for problem in consequences:
            print(f"   {problem}")
    if causes:
        print(f"-- {len(causes)} cause(s):")
        for problem in causes:
            print(problem)
    print(summary)
    missing_docs = (
        completeness["missingFunctionDocStringCount"] + completeness["missingClassDocStringCount"]
    )
    if score < 1 or missing_docs or unique:
        print(f"FAILED: {len(unique)} problem(s) above; every public symbol needs a known type "
              "and a docstring")  # fmt: skip
        return 1
    return 0


_CONSEQUENCE = ("is partially unknown", "(through what it uses)")


def _short(path: str) -> str:
    marker = f"/{PACKAGE}/"
    return PACKAGE + "/" + path.split(marker, 1)[1] if marker in path else path


def _run(command: list[str]) -> None:
    subprocess.run(command, check=True)


if __name__ == "__main__":
    sys.exit(main())
