"""The parent pages on an emulated slow 4G phone: Largest Contentful Paint and bytes, per page
and language (issue 16, point 7: at most 150 KB of HTML, CSS and JS, LCP within 2.5 s).

One gunicorn (``bench.settings``: DEBUG off, whitenoise with hashed and compressed static files)
on 127.0.0.1, Debian's Chromium through Playwright with, per page load, a fresh browser context
(nothing cached) and DevTools throttling as Lighthouse applies it for "Slow 4G": 562.5 ms
round trip, 1.47 Mbit/s down, 0.675 Mbit/s up, and the CPU slowed 4 times; a 390 x 844 phone
screen. LCP is read with a PerformanceObserver (``largest-contentful-paint``, buffered) after
the load event; bytes from Resource Timing (transferred, and decoded) of the document, its
stylesheets and scripts (images apart). The bare Django view ``/bench/bare`` is measured in the
same run as the yardstick (``ratio`` = LCP / bare LCP).

The machine is shared: the load average before and after is reported with the numbers; timing
is noisy while others work (the lead re-measures on a quiet machine).

    uv run python bench/parents/run.py                       # all pages, 7 languages, 3 loads each
    uv run python bench/parents/run.py --languages nl ar --repeat 1
    uv run python bench/parents/run.py --no-throttle        # the same without throttling
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
RESULTS = ROOT / "bench" / "results"
HOST = "127.0.0.1"
CHROMIUM = os.environ.get("KANSRIJK_CHROMIUM", "/usr/bin/chromium")
LANGUAGES = ("nl", "en", "ar", "tr", "pl", "uk", "ti")
#: (name, path, posted form or None). Help nearby's answer is the page a parent gets when she
#: posts her postcode and need (they never stand in its address): measured as that navigation.
PAGES: tuple[tuple[str, str, dict[str, str] | None], ...] = (
    ("start", "", None),
    ("page", "prenataal-huisbezoek/", None),
    ("costs", "kosten/", None),
    ("network-map", "netwerkkaart/", None),
    ("network-map-blank", "netwerkkaart/leeg/", None),
    ("help-nearby", "hulp-in-de-buurt/", {"postcode": "9203", "hulp": "geldzorgen"}),
    ("self-referral", "huisbezoek-aanvragen/", None),
)
#: Lighthouse's "Slow 4G" as DevTools applies it (simulated 150 ms RTT x 3.75; 1.6 Mbit/s x 0.9).
SLOW_4G = {
    "offline": False,
    "latency": 562.5,
    "downloadThroughput": 1_474_560 / 8,
    "uploadThroughput": 675_000 / 8,
}
CPU_SLOWDOWN = 4
#: Posts ``fields`` to ``url`` from the blank page, as a browser sends a form.
POST_FORM_SCRIPT = """({url, fields}) => {
  const form = document.createElement("form");
  form.method = "post";
  form.action = url;
  for (const [name, value] of Object.entries(fields)) {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.append(input);
  }
  document.body.append(form);
  form.submit();
}"""
BUDGET_BYTES = 150 * 1024
BUDGET_LCP_MS = 2500

LCP_SCRIPT = """
() => new Promise(resolve => {
  let last = 0;
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) last = Math.max(last, entry.renderTime || entry.loadTime || entry.startTime);
  }).observe({type: 'largest-contentful-paint', buffered: true});
  setTimeout(() => resolve(last), 300);
})
"""
BYTES_SCRIPT = """
() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const parts = [{kind: 'document', transfer: nav.transferSize, decoded: nav.decodedBodySize}];
  for (const r of performance.getEntriesByType('resource')) {
    const kind = r.initiatorType === 'link' || r.name.endsWith('.css') ? 'css'
      : r.initiatorType === 'script' || r.name.endsWith('.js') ? 'js' : 'other';
    parts.push({kind, transfer: r.transferSize, decoded: r.decodedBodySize, url: r.name});
  }
  return parts;
}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def environment(database_url: str | None) -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "src"), env.get("PYTHONPATH", "")])
    if database_url:
        env["DATABASE_URL"] = database_url
    env.setdefault("KANSRIJK_SQLITE_PATH", str(RESULTS / "parents.sqlite3"))
    return env


def prepare(env: dict[str, str]) -> None:
    """Migrate, load reference data and the demo content (idempotent), collect static files."""
    code = (
        "import django; django.setup();"
        "from django.core.management import call_command;"
        "call_command('migrate', verbosity=0);"
        "from kansrijk.places.models import Municipality;"
        "from kansrijk.places.services import load_reference_data;"
        "Municipality.objects.exists() or load_reference_data();"
        "from kansrijk.core.demo import run_demo_loaders; run_demo_loaders();"
        "call_command('collectstatic', interactive=False, verbosity=0)"
    )
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True)


def start_server(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "gunicorn", "kansrijk.wsgi:application",
        "--bind", f"{HOST}:{port}", "--workers", "2", "--log-level", "warning",
        "--chdir", str(ROOT),
    ]  # fmt: skip
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)


def wait_until_up(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit {process.returncode})")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/bench/bare")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer in time")


def measure(
    browser: Any, url: str, *, throttle: bool, posted: dict[str, str] | None = None
) -> dict[str, Any]:
    """One cold load of ``url`` on a fresh phone context (``posted``: the form posted to it,
    from a blank page, so that the answer is the first document the context loads)."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    if throttle:
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW_4G)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    if posted is None:
        started = time.monotonic()
        response = page.goto(url, wait_until="load", timeout=60_000)
    else:
        started = time.monotonic()
        with page.expect_navigation(wait_until="load", timeout=60_000) as navigation:
            page.evaluate(POST_FORM_SCRIPT, {"url": url, "fields": posted})
        response = navigation.value
    load_s = time.monotonic() - started
    lcp = float(page.evaluate(LCP_SCRIPT))
    parts = page.evaluate(BYTES_SCRIPT)
    cookies = context.cookies()
    context.close()
    counted = [p for p in parts if p["kind"] in ("document", "css", "js")]
    return {
        "status": response.status if response else None,
        "lcp_ms": round(lcp, 1),
        "load_s": round(load_s, 3),
        "transfer_bytes": sum(p["transfer"] for p in counted),
        "decoded_bytes": sum(p["decoded"] for p in counted),
        "other_hosts": sorted({p["url"] for p in parts if "url" in p and HOST not in p["url"]}),
        "cookies": [c["name"] for c in cookies],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--languages", nargs="*", default=list(LANGUAGES))
    parser.add_argument("--repeat", type=int, default=3, help="cold loads per page (median)")
    parser.add_argument("--no-throttle", action="store_true")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--skip-prepare", action="store_true")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    env = environment(args.database_url)
    if not args.skip_prepare:
        prepare(env)
    port = free_port()
    server = start_server(port, env)
    load_before = os.getloadavg()
    rows: list[dict[str, Any]] = []
    try:
        wait_until_up(port, server)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            base = f"http://{HOST}:{port}"
            measure(browser, f"{base}/ouders/nl/", throttle=False)  # warm the workers
            bare = [
                measure(browser, f"{base}/bench/bare", throttle=not args.no_throttle)
                for _ in range(args.repeat)
            ]
            bare_lcp = statistics.median(m["lcp_ms"] for m in bare)
            for code in args.languages:
                for name, path, posted in PAGES:
                    runs = [
                        measure(
                            browser,
                            f"{base}/ouders/{code}/{path}",
                            throttle=not args.no_throttle,
                            posted=posted,
                        )
                        for _ in range(args.repeat)
                    ]
                    lcp = statistics.median(m["lcp_ms"] for m in runs)
                    row = {
                        "language": code,
                        "page": name,
                        "status": runs[0]["status"],
                        "lcp_ms": lcp,
                        "lcp_ratio_to_bare": round(lcp / bare_lcp, 2) if bare_lcp else None,
                        "lcp_runs_ms": [m["lcp_ms"] for m in runs],
                        "transfer_bytes": runs[0]["transfer_bytes"],
                        "decoded_bytes": runs[0]["decoded_bytes"],
                        "other_hosts": runs[0]["other_hosts"],
                        "cookies": runs[0]["cookies"],
                    }
                    row["within_budget"] = (
                        row["decoded_bytes"] <= BUDGET_BYTES and lcp <= BUDGET_LCP_MS
                    )
                    rows.append(row)
                    print(
                        f"{code:3} {name:18} LCP {lcp:7.0f} ms (x{row['lcp_ratio_to_bare']}) "
                        f"{row['transfer_bytes'] / 1024:6.1f} KB sent, "
                        f"{row['decoded_bytes'] / 1024:6.1f} KB decoded"
                        f"{'' if row['within_budget'] else '  OVER BUDGET'}",
                        flush=True,
                    )
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    load_after = os.getloadavg()
    summary = {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "throttling": None if args.no_throttle else {**SLOW_4G, "cpu_slowdown": CPU_SLOWDOWN},
        "repeat": args.repeat,
        "cores": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": load_after,
        "bare_lcp_ms": bare_lcp,
        "budget": {"bytes": BUDGET_BYTES, "lcp_ms": BUDGET_LCP_MS},
        "worst_lcp_ms": max(r["lcp_ms"] for r in rows),
        "largest_decoded_bytes": max(r["decoded_bytes"] for r in rows),
        "all_within_budget": all(r["within_budget"] for r in rows),
        "rows": rows,
    }
    out = RESULTS / f"parents-{datetime.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    print(
        f"\nbare view LCP {bare_lcp:.0f} ms; worst page LCP {summary['worst_lcp_ms']:.0f} ms; "
        f"largest page {summary['largest_decoded_bytes'] / 1024:.1f} KB decoded; "
        f"load average {load_before[0]:.2f} -> {load_after[0]:.2f} on {os.cpu_count()} cores"
    )
    print(f"all within budget: {summary['all_within_budget']}; written to {out}")
    return 0 if summary["all_within_budget"] else 1


if __name__ == "__main__":
    sys.exit(main())
