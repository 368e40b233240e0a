"""Benchmark one node with wrk: raw ASGI, a Django view (our handler vs Django's), the cart.

Each peer is a real ``manage.py runnode`` process on a free port: started,
warmed up, measured for a fixed time at a fixed number of connections, and
stopped with SIGTERM. Prints a table and writes JSON to ``bench/results/``.
See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script

from bench.node import ROOT, start_peer
from bench.pg import counters, prepare_database
from bench.wrk import INSTALL_HINT, WrkResult, find_wrk, run_wrk

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/cartsite_bench"
RESULTS = ROOT / "bench" / "results"


@dataclass(frozen=True, slots=True)
class PeerSpec:
    """What a peer serves, where wrk points, and what it needs first."""

    name: str
    app: str
    path: str
    note: str
    env: dict[str, str] = field(default_factory=dict)
    carts: int = 0  # carts created before the warm-up; >0 means add-item mode


def peer_specs(carts: int) -> list[PeerSpec]:
    """Return the peers in the order they run."""
    site, view = "cartsite.asgi:application", "/bench/json"
    bare = {"BENCH_MIDDLEWARE": "0"}
    return [
        PeerSpec("raw-asgi", "bench.raw:application", "/", "uvicorn and a bare ASGI app"),
        PeerSpec("view", site, view, "async view, our handler + cartsite middleware"),
        PeerSpec("view-stock", "bench.stock:application", view, "the same, Django's ASGIHandler"),
        PeerSpec("view-bare", site, view, "async view, our handler, no middleware", bare),
        PeerSpec("cart", site, "", f"add-item over {carts} carts, PostgreSQL", carts=carts),
        PeerSpec("cart-hot", site, "", "add-item to one cart, PostgreSQL", carts=1),
        PeerSpec(
            "cart-django-mw",
            site,
            "",
            f"cart, with Django's own middleware classes ({carts} carts)",
            {"BENCH_MIDDLEWARE": "django"},
            carts=carts,
        ),
    ]


def create_carts(url: str, count: int) -> list[str]:
    """Create ``count`` carts through the API and return their ids."""
    parts = urlsplit(url)

    def create(n: int) -> list[str]:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        ids = []
        try:
            for _ in range(n):
                conn.request("POST", "/api/carts", body=b"", headers={"Content-Length": "0"})
                response = conn.getresponse()
                body = response.read()
                if response.status != 201:
                    raise RuntimeError(f"POST /api/carts: {response.status} {body[:200]!r}")
                ids.append(json.loads(body)["id"])
        finally:
            conn.close()
        return ids

    workers = min(8, count)
    shares = [count // workers + (i < count % workers) for i in range(workers)]
    with ThreadPoolExecutor(workers) as pool:
        return [cart_id for ids in pool.map(create, shares) for cart_id in ids]


def measure(spec: PeerSpec, args: argparse.Namespace) -> dict[str, Any]:
    """Start, warm up, measure and stop one peer; return its figures."""
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": args.database_url,
        "CART_NODE_ID": f"bench-{spec.name}",
        **spec.env,
    }
    load_before = os.getloadavg()[0]
    peer = start_peer(spec.app, env)
    ids_file = None
    try:
        url = peer.wait_ready()
        wrk_env = {"BENCH_MODE": "get"}
        if spec.carts:
            ids = create_carts(url, spec.carts)
            ids_file = Path(tempfile.mkstemp(prefix="bench-carts-", suffix=".txt")[1])
            ids_file.write_text("\n".join(ids) + "\n")
            wrk_env = {"BENCH_MODE": "add_item", "BENCH_CART_IDS": str(ids_file)}
        target = url + spec.path
        opts = {"connections": args.connections, "threads": args.threads, "env": wrk_env}
        if args.warmup:
            run_wrk(target, seconds=args.warmup, **opts)
        before = counters(args.database_url) if spec.carts else None
        result = run_wrk(target, seconds=args.duration, **opts)
        status = peer.stop()
        after = counters(args.database_url) if spec.carts else None
        figures = _figures(spec, result, status)
        # Other work on the machine skews every figure: keep the load beside them.
        figures["loadavg_1m"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
        if spec.carts:
            figures["group_commit"] = _group_commit(peer.group_commit(), before, after)
        return figures
    finally:
        peer.cleanup()
        if ids_file is not None:
            ids_file.unlink(missing_ok=True)


def _figures(spec: PeerSpec, result: WrkResult, status: int) -> dict[str, Any]:
    return {
        "name": spec.name,
        "note": spec.note,
        "app": spec.app,
        "rps": round(result.rps, 1),
        "p50_ms": result.p50_ms,
        "p90_ms": result.p90_ms,
        "p99_ms": result.p99_ms,
        "max_ms": result.max_ms,
        "requests": result.requests,
        "errors": result.errors,
        "exit_status": status,
    }


def _group_commit(node: tuple[int, int] | None, before: Any, after: Any) -> dict[str, Any]:
    # The node's own count is exact (its whole life, warm-up included); the
    # PostgreSQL delta covers the measured run and also counts reads, so it is a
    # lower bound on batching.
    events, xacts = after.events - before.events, after.xact_commit - before.xact_commit
    out: dict[str, Any] = {"pg_events": events, "pg_xact_commit": xacts}
    out["pg_events_per_xact"] = round(events / xacts, 2) if xacts else None
    if node:
        out.update(node_events=node[0], node_commits=node[1])
        out["node_events_per_commit"] = round(node[0] / node[1], 2)
    return out


def print_table(results: list[dict[str, Any]]) -> None:
    """Print req/s, p50, p99 and the ratio to the raw ASGI peer."""
    raw = next((r["rps"] for r in results if r["name"] == "raw-asgi"), None)
    print(f"\n{'peer':<12} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'x raw':>7} {'load':>5}  note")
    for r in results:
        ratio = f"{r['rps'] / raw:.3f}" if raw else "-"
        errors = f"  errors {r['errors']}" if r["errors"] else ""
        print(
            f"{r['name']:<12} {r['rps']:>9,.0f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} "
            f"{ratio:>7} {max(r['loadavg_1m']):>5.1f}  {r['note']}{errors}"
        )
    for r in results:
        gc = r.get("group_commit")
        if not gc:
            continue
        line = f"{r['name']}: group commit"
        if "node_events_per_commit" in gc:
            line += (
                f" {gc['node_events_per_commit']} events/commit "
                f"({gc['node_events']} events in {gc['node_commits']} commits, node log);"
            )
        line += (
            f" PostgreSQL: {gc['pg_events']} events, {gc['pg_xact_commit']} transactions "
            f"({gc['pg_events_per_xact']} per transaction, reads included)"
        )
        print(line)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds measured per peer")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up per peer")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument(
        "--threads", type=int, default=1, help="wrk threads (1 leaves a core to the node)"
    )
    parser.add_argument("--carts", type=int, default=1000, help="carts of the spread cart run")
    parser.add_argument("--peers", default="", help="comma-separated peer names (default all)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="PostgreSQL database the cart peers use; dropped and recreated "
        "(BENCH_DATABASE_URL, default %(default)s)",
    )
    parser.add_argument("--keep-db", action="store_true", help="reuse the database as it is")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the selected peers and report."""
    args = parse_args(argv)
    if find_wrk() is None:
        print(INSTALL_HINT, file=sys.stderr)
        return 2
    specs = peer_specs(args.carts)
    if args.peers:
        wanted = {p.strip() for p in args.peers.split(",") if p.strip()}
        unknown = wanted - {s.name for s in specs}
        if unknown:
            print(f"unknown peers {sorted(unknown)}; known: {[s.name for s in specs]}")
            return 2
        specs = [s for s in specs if s.name in wanted]
    # Every peer runs the node's settings, so all of them get the migrated database.
    print(f"preparing {args.database_url} ...", flush=True)
    try:
        prepare_database(args.database_url, keep=args.keep_db)
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL is not reachable ({exc}); start it or pass --database-url")
        return 2

    results = []
    started = time.monotonic()
    for spec in specs:
        print(f"{spec.name}: {spec.note} ...", flush=True)
        results.append(measure(spec, args))
        r = results[-1]
        print(f"  {r['rps']:,.0f} req/s, p50 {r['p50_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms")
    print_table(results)

    raw = next((r["rps"] for r in results if r["name"] == "raw-asgi"), None)
    for r in results:
        r["ratio_to_raw"] = round(r["rps"] / raw, 4) if raw else None
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.monotonic() - started, 1),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "config": {k: v for k, v in vars(args).items() if k != "peers"},
        "peers": results,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nresults: {path.relative_to(ROOT)}")
    return 0 if all(r["exit_status"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
