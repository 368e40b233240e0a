"""The generated protobuf modules are committed fresh, and the check catches stale ones."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

PROTO = Path(__file__).resolve().parent.parent / "proto"


def check(folder: Path) -> subprocess.CompletedProcess[str]:
    """Run ``generate.py --check`` on the proto folder ``folder``."""
    return subprocess.run(
        [sys.executable, str(folder / "generate.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )


def test_committed_modules_are_fresh() -> None:
    result = check(PROTO)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_schema_change_without_protogen_is_caught(tmp_path: Path) -> None:
    for name in ("generate.py", "cart_actor.proto", "cart_actor_pb2.py", "cart_actor_pb2.pyi"):
        shutil.copy(PROTO / name, tmp_path / name)
    proto = tmp_path / "cart_actor.proto"
    proto.write_text(
        proto.read_text().replace(
            "message ClearCart {}", "message ClearCart {\n  bool keep_deliveries = 1;\n}"
        )
    )
    result = check(tmp_path)
    assert result.returncode == 1
    assert "cart_actor_pb2.py" in result.stdout
    assert "make protogen" in result.stdout
