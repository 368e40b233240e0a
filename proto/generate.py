"""Generate the protobuf modules from cart_actor.proto, or check they are fresh.

``python proto/generate.py`` writes proto/cart_actor_pb2.py(i); ``--check`` generates
into a temporary folder and exits 1 naming every committed file that differs.
"""

from __future__ import annotations

import filecmp
import sys
import tempfile
from pathlib import Path

from grpc_tools import protoc

HERE = Path(__file__).resolve().parent
SOURCES = sorted(p.name for p in HERE.glob("*.proto"))


def generate(out: Path) -> None:
    """Run protoc for every .proto file in this folder into ``out``."""
    args = ["protoc", f"-I{HERE}", f"--python_out={out}", f"--pyi_out={out}", *SOURCES]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")


def main() -> int:
    """Generate in place, or with --check compare a fresh generation."""
    if "--check" not in sys.argv:
        generate(HERE)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp))
        stale = [
            f.name
            for f in sorted(Path(tmp).iterdir())
            if not (HERE / f.name).exists() or not filecmp.cmp(f, HERE / f.name, shallow=False)
        ]
    if stale:
        print("stale generated protobuf modules (run `make protogen`):", *stale)
        return 1
    print("generated protobuf modules are fresh")
    return 0


if __name__ == "__main__":
    sys.exit(main())
