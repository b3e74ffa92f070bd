"""A team on a big book: `tend serve` as shipped, driven by concurrent reps and managers.

    .venv/bin/python bench/load.py                 # 100,000 customers, PostgreSQL
    .venv/bin/python bench/load.py --quick         # 10,000 customers, short phases
    .venv/bin/python bench/load.py --database sqlite
    .venv/bin/python bench/load.py --database-url postgresql://postgres@127.0.0.1/scale100k

The book is built once (`tend migrate`, `tend demo --customers N --seed 7`) and reused by later
runs: a PostgreSQL database `tend_load_<N>` (or the one given) or a SQLite file under
`--data-dir`. The script then starts `tend serve` on a free port of 127.0.0.1 in production
mode (collectstatic, hashed and compressed assets; a reverse proxy's ``X-Forwarded-Proto:
https`` is sent with every request), signs in the demo's reps and managers through the login
form, and drives a mix of pages:

    Today 30%, customer list 20%, customer page 25%, at-risk 10%, API customer list 10%,
    approvals 5% (managers; reps open Today instead)

in three phases, each bounded in time:

1. one user at a time: every page in turn (`single_p50_ms`), and the static file (the floor);
2. saturation: `--users` (20) users with no think time: requests per second (`rps`);
3. a team at work: the same users each waiting a random 0-10 s (5 s on average) between pages
   (`p95_ms` per page).

During phases 2 and 3 one more client fetches a static file twice a second: its latency shows
whether static files queue behind pages. Only 127.0.0.1 is contacted. The last line is JSON.
"""

import argparse
import http.client
import json
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"
PASSWORD = "tend-demo"
REPS = ["kevin", "amira", "jason", "lukas", "sofia"]
MANAGERS = ["helen", "daniel"]
MIX = [  # (page, weight)
    ("today", 30),
    ("customer_list", 20),
    ("customer_page", 25),
    ("at_risk", 10),
    ("api_list", 10),
    ("approvals", 5),
]
PAGES = [name for name, _ in MIX]


# --- the book and the server -----------------------------------------------------------------


def tend_env(args) -> dict:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT / "src"),
        TEND_DATA_DIR=args.data_dir,
        LOG_LEVEL="ERROR",
        PYTHONUNBUFFERED="1",
    )
    env.pop("DATABASE_URL", None)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    return env


def tend(args, *command: str, env=None, capture=True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "-m", "tend", *command],
        env=env or tend_env(args),
        cwd=ROOT,
        capture_output=capture,
        text=True,
        check=False,
    )


def book_size(args) -> int:
    """Customers in the database, or -1 when it is not migrated."""
    code = "from tend.customers.models import Customer; print('SIZE', Customer.objects.count())"
    done = tend(args, "shell", "-c", code)
    match = re.search(r"SIZE (\d+)", done.stdout)
    return int(match.group(1)) if match else -1


def ensure_postgres_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def ensure_book(args) -> float:
    """Build the book unless the database holds one of the right size; seconds spent."""
    Path(args.data_dir).mkdir(parents=True, exist_ok=True)
    if args.database_url:
        ensure_postgres_database(args.database_url)
    started = time.perf_counter()
    done = tend(args, "migrate", "--no-input", "-v0")
    if done.returncode:
        sys.exit(f"tend migrate failed:\n{done.stderr[-3000:]}")
    size = book_size(args)
    if size == args.customers:
        print(f"Reusing the book of {size:,} customers.")
        return 0.0
    print(f"Building a book of {args.customers:,} customers (tend demo)...", flush=True)
    command = ["demo", "--customers", str(args.customers), "--seed", "7"]
    if size > 0:
        command.append("--reset")
    done = tend(args, *command, capture=False)
    if done.returncode:
        sys.exit("tend demo failed")
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(args, port: int) -> subprocess.Popen:
    env = tend_env(args)
    env.update(
        TEND_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="false",
    )
    command = [PYTHON, "-m", "tend", "serve", "--host", HOST, "--port", str(port)]
    if args.workers:
        command += ["--workers", str(args.workers)]
    if args.threads:
        command += ["--threads", str(args.threads)]
    # The request log (one line per request) is Tend's own; the bench keeps it off the screen.
    server = subprocess.Popen(
        command, env=env, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        if server.poll() is not None:
            sys.exit("tend serve stopped at start")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/accounts/login/", headers={"X-Forwarded-Proto": "https"})
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    stop_server(server)
    sys.exit("tend serve did not answer within 2 minutes")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


# --- a browser-like client -------------------------------------------------------------------


class Client:
    """One keep-alive connection with its cookies, as a browser behind an HTTPS proxy."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        headers = {
            "X-Forwarded-Proto": "https",
            "Accept-Encoding": "gzip, br",
            **(headers or {}),
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = None  # the server closed a kept-alive connection: once more
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data, response.headers

    def sign_in(self, username: str) -> None:
        status, page, _ = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not token:
            raise RuntimeError(f"no login form ({status})")
        body = urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": username,
                "password": PASSWORD,
            }
        ).encode()
        origin = f"https://{HOST}:{self.port}"
        status, _, headers = self.request(
            "POST",
            "/accounts/login/",
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"{origin}/accounts/login/",
                "Origin": origin,
            },
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"{username} could not sign in ({status})")


# --- what users do ---------------------------------------------------------------------------


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}

    def add(self, page: str, ms: float, ok: bool) -> None:
        with self.lock:
            self.times.setdefault(page, []).append(ms)
            if not ok:
                self.errors[page] = self.errors.get(page, 0) + 1

    @property
    def count(self) -> int:
        return sum(len(values) for values in self.times.values())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


class User:
    def __init__(self, username: str, role: str, port: int, customers: list[int]):
        self.username, self.role = username, role
        self.client = Client(port)
        self.customers = customers
        self.rng = random.Random(username + str(id(self)))

    def path(self, page: str) -> str:
        if page == "approvals" and self.role == "rep":
            page = "today"
        if page == "today":
            return "/today/"
        if page == "customer_list":
            return f"/customers/?page={self.rng.randint(1, 5)}"
        if page == "customer_page":
            return f"/customers/{self.rng.choice(self.customers)}/"
        if page == "at_risk":
            return "/health/at-risk/"
        if page == "api_list":
            return f"/api/v1/customers?page={self.rng.randint(1, 5)}"
        return "/approvals/"

    def visit(self, page: str, results: Results) -> None:
        path = self.path(page)
        started = time.perf_counter()
        try:
            status, _, _ = self.client.request("GET", path)
            ok = status == 200
        except (OSError, http.client.HTTPException):
            ok = False
        results.add(page, (time.perf_counter() - started) * 1000, ok)


def pick_page(rng: random.Random) -> str:
    return rng.choices(PAGES, weights=[weight for _, weight in MIX])[0]


def customers_of(args) -> dict[str, list[int]]:
    """A sample of the customers each demo person may open (their own, or their team's)."""
    code = (
        "from tend.accounts.models import User\n"
        "from tend.customers.selectors import customers_visible_to\n"
        "import json\n"
        f"names = {REPS + MANAGERS!r}\n"
        "out = {u.username: list(customers_visible_to(user=u).order_by('?')"
        ".values_list('pk', flat=True)[:300]) for u in User.objects.filter(username__in=names)}\n"
        "print('IDS', json.dumps(out))"
    )
    done = tend(args, "shell", "-c", code)
    match = re.search(r"IDS (.*)", done.stdout)
    if not match:
        sys.exit(f"could not read the demo people's customers:\n{done.stderr[-2000:]}")
    return json.loads(match.group(1))


def make_users(count: int, port: int, customers: dict[str, list[int]]) -> list[User]:
    users = []
    for index in range(count):
        # Seven reps for every three managers, as on a real team's day.
        if index % 10 in (3, 7, 9):
            name, role = MANAGERS[index % len(MANAGERS)], "manager"
        else:
            name, role = REPS[index % len(REPS)], "rep"
        user = User(name, role, port, customers.get(name) or [1])
        user.client.sign_in(name)
        users.append(user)
    return users


def static_floor(port: int, path: str, stop: threading.Event, results: Results) -> None:
    client = Client(port)
    while not stop.is_set():
        started = time.perf_counter()
        try:
            status, _, _ = client.request("GET", path)
            ok = status == 200
        except (OSError, http.client.HTTPException):
            ok = False
        results.add("static", (time.perf_counter() - started) * 1000, ok)
        stop.wait(0.5)


def run_phase(
    users: list[User], seconds: float, think: float, port: int, static_path: str
) -> tuple[Results, float]:
    """Every user loops over the mix until the time is up; (results, seconds it ran)."""
    results = Results()
    stop = threading.Event()
    end = time.perf_counter() + seconds

    def loop(user: User) -> None:
        if think:
            stop.wait(user.rng.uniform(0, think))  # arrivals spread, not all at once
        while not stop.is_set() and time.perf_counter() < end:
            user.visit(pick_page(user.rng), results)
            if think:
                stop.wait(user.rng.uniform(0, 2 * think))

    threads = [threading.Thread(target=loop, args=(user,), daemon=True) for user in users]
    floor = threading.Thread(
        target=static_floor, args=(port, static_path, stop, results), daemon=True
    )
    started = time.perf_counter()
    floor.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 120)
    stop.set()
    floor.join(5)
    return results, time.perf_counter() - started


def run_single(users: list[User], rounds: int, static_path: str) -> Results:
    """One request at a time: each page ``rounds`` times (by a rep; approvals by a manager)."""
    results = Results()
    rep = next(user for user in users if user.role == "rep")
    manager = next((user for user in users if user.role == "manager"), rep)
    for page in PAGES:
        user = manager if page == "approvals" else rep
        user.visit(page, Results())  # warm up
        for _ in range(rounds):
            user.visit(page, results)
    client = rep.client
    for _ in range(rounds * 2):
        started = time.perf_counter()
        status, _, _ = client.request("GET", static_path)
        results.add("static", (time.perf_counter() - started) * 1000, status == 200)
    return results


# --- report ----------------------------------------------------------------------------------


def table(title: str, results: Results, seconds: float | None = None) -> dict:
    print(f"\n{title}")
    print(f"  {'page':<15} {'requests':>8} {'errors':>6} {'p50':>8} {'p95':>8} {'p99':>8}  ms")
    figures = {}
    for page in [*PAGES, "static"]:
        values = results.times.get(page)
        if not values:
            continue
        row = {
            "requests": len(values),
            "errors": results.errors.get(page, 0),
            "p50": round(statistics.median(values), 1),
            "p95": round(percentile(values, 0.95), 1),
            "p99": round(percentile(values, 0.99), 1),
        }
        figures[page] = row
        print(
            f"  {page:<15} {row['requests']:>8} {row['errors']:>6} {row['p50']:>8.1f} "
            f"{row['p95']:>8.1f} {row['p99']:>8.1f}"
        )
    if seconds:
        pages = results.count - len(results.times.get("static", []))
        print(f"  {pages / seconds:.1f} requests per second (pages, static floor excluded)")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 customers, short phases")
    parser.add_argument("--customers", type=int, default=None)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--database-url", default=None, help="PostgreSQL database to use")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--think", type=float, default=5.0, help="mean seconds between pages")
    parser.add_argument("--seconds", type=float, default=None, help="length of phases 2 and 3")
    parser.add_argument("--rounds", type=int, default=None, help="requests per page, phase 1")
    parser.add_argument("--workers", type=int, default=None, help="passed to tend serve")
    parser.add_argument("--threads", type=int, default=None, help="passed to tend serve")
    args = parser.parse_args()
    args.customers = args.customers or (10_000 if args.quick else 100_000)
    seconds = args.seconds or (8 if args.quick else 60)
    rounds = args.rounds or (5 if args.quick else 25)
    if args.database == "postgresql" and not args.database_url:
        args.database_url = f"postgresql://postgres@127.0.0.1:5432/tend_load_{args.customers}"
    if args.database == "sqlite":
        args.database_url = None
    args.data_dir = args.data_dir or f"/tmp/tend-load-{args.database}-{args.customers}"

    build_seconds = ensure_book(args)
    customers = customers_of(args)
    port = free_port()
    server = start_server(args, port)
    try:
        probe = Client(port)
        probe.sign_in(REPS[0])
        _, page, _ = probe.request("GET", "/today/")
        static = re.search(rb'src="(/static/[^"]+\.js)"', page)
        static_path = static.group(1).decode() if static else "/static/tend/app.js"
        _, _, headers = probe.request("GET", static_path)
        print(
            f"Static file {static_path}: Cache-Control {headers.get('Cache-Control')!r}, "
            f"Content-Encoding {headers.get('Content-Encoding')!r}"
        )
        users = make_users(args.users, port, customers)
        single = run_single(users, rounds, static_path)
        single_figures = table("1. One user at a time", single)
        busy, busy_seconds = run_phase(users, seconds, 0.0, port, static_path)
        busy_figures = table(f"2. {args.users} users, no think time", busy, busy_seconds)
        rps = (busy.count - len(busy.times.get("static", []))) / busy_seconds
        think_seconds = max(seconds, 3 * args.think) if args.think else seconds
        team, team_seconds = run_phase(users, think_seconds, args.think, port, static_path)
        team_figures = table(
            f"3. {args.users} users, {args.think:g} s think time", team, team_seconds
        )
    finally:
        stop_server(server)
    errors = sum(results.errors.get(p, 0) for results in (single, busy, team) for p in PAGES)
    print(f"\nErrors: {errors}")
    summary = {
        "bench": "load",
        "database": args.database,
        "customers": args.customers,
        "users": args.users,
        "book_build_s": round(build_seconds, 1),
        "rps": round(rps, 1),
        "p95_ms": {page: row["p95"] for page, row in team_figures.items()},
        "single_p50_ms": {page: row["p50"] for page, row in single_figures.items()},
        "saturated_p95_ms": {page: row["p95"] for page, row in busy_figures.items()},
        "errors": errors,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
