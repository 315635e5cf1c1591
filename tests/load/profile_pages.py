"""Where a page's server time goes: cProfile over repeated requests through the Flask test
client on a benchmark database (a command, not a test).

    python -m tests.load.profile_pages --database-url sqlite:////tmp/b/bench.db
                                       [--user xa1] [--page list|narrow|broad|case] [--repeat 200]
                                       [--sort cumulative|tottime] [--limit 40]
    python -m tests.load.profile_pages --database-url … --times [--repeat 100]

--times profiles nothing: it prints the median wall time and the median CPU time of the
process per request for each page and user (CPU time stays meaningful when other programs
share the machine; wall time does not).

The database is one `python -m tests.benchmarks.bench_households --keep` (or `make load`
with --keep) left behind; the pages and their parameters are the benchmark's.
"""
import argparse
import cProfile
import pstats
import statistics
import time

from tests.benchmarks.bench_households import (choose_params, login, make_config,
                                               normalise_url, requests_for)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--user", default="xa1")
    parser.add_argument("--page", default="list", choices=("list", "narrow", "broad", "case"))
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--times", action="store_true", help="time every page, no profile")
    parser.add_argument("--url", help="profile this path instead (an htmx request; "
                                      "{household} stands for the benchmark's household)")
    args = parser.parse_args(argv)

    from app import create_app
    config = make_config(normalise_url(args.database_url))
    app = create_app(type("ProfileConfig", (config,), {"LOG_LEVEL": "WARNING"}))
    params = choose_params(app)
    if args.times:
        return times(app, params, args.repeat)
    url, headers = requests_for(params)[args.page]
    if args.url:
        url = args.url.replace("{household}", str(params["household_id"]))
        headers = {"HX-Request": "true"}
    client = login(app, args.user)
    for _ in range(5):
        assert client.get(url, headers=headers).status_code == 200
    started = time.perf_counter()
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.repeat):
        client.get(url, headers=headers)
    profile.disable()
    elapsed = time.perf_counter() - started
    print(f"{args.user} {args.page} {url}: {elapsed / args.repeat * 1000:.2f} ms per request "
          f"under the profiler ({args.repeat} requests)")
    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.limit)


def times(app, params, repeat):
    print(f"{'user':<7} {'page':<7} {'wall med':>9} {'CPU med':>8}  (ms per request, "
          f"{repeat} requests after 5)")
    for user in ("xa1", "huyen1", "tinh1"):
        client = login(app, user)
        for page, (url, headers) in requests_for(params).items():
            for _ in range(5):
                assert client.get(url, headers=headers).status_code == 200
            wall, cpu = [], []
            for _ in range(repeat):
                w, c = time.perf_counter(), time.process_time()
                client.get(url, headers=headers)
                wall.append(time.perf_counter() - w)
                cpu.append(time.process_time() - c)
            print(f"{user:<7} {page:<7} {statistics.median(wall) * 1000:>9.2f} "
                  f"{statistics.median(cpu) * 1000:>8.2f}", flush=True)


if __name__ == "__main__":
    main()
