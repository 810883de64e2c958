"""`make lint` covers the whole code: every app is in a layer, every services.py is type-checked."""

import glob
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
PACKAGE = ROOT / "src" / "jiandu"
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# Packages of jiandu that are no app, like the modules beside them (cli, urls, wsgi, conftest).
NOT_APPS = {"settings"}


def layered_modules() -> set[str]:
    (contract,) = [c for c in CONFIG["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    return {module.strip() for layer in contract["layers"] for module in layer.replace(":", "|").split("|")}


def test_every_app_is_in_a_layer():
    apps = {p.parent.name for p in PACKAGE.glob("*/__init__.py")} - NOT_APPS
    assert {f"jiandu.{app}" for app in apps} == layered_modules()


def test_every_services_module_and_the_kernel_are_type_checked():
    patterns = CONFIG["tool"]["mypy"]["files"]
    assert "src/jiandu/procedures" in patterns
    services = [
        path.relative_to(ROOT).as_posix()
        for path in PACKAGE.rglob("services.py")
        if not {"tests", "migrations"} & set(path.parts)
    ]
    assert services
    # As mypy reads `files`: each entry a glob, a directory standing for everything under it.
    checked = {found for p in patterns for found in glob.glob(p, root_dir=ROOT, recursive=True)}
    unchecked = [path for path in services if not {path, *map(str, Path(path).parents)} & checked]
    assert not unchecked
