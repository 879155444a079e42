"""Ask a deployed stack whether it is ready (its database answering, every migration
applied) through nginx, again and again, until stopped (SIGTERM): a rolling upgrade or
rollback must not fail one request. Run by scripts/compose-smoke.sh around
docs/deployment.md's upgrade and rollback; prints how many requests it made and which
failed, and exits non-zero when any did."""

import argparse
import signal
import sys
import time

import requests
from smoke_checkout import local_session

stopped = False


def stop(*_) -> None:
    global stopped
    stopped = True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--site", required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--label", required=True)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, stop)
    session = local_session(args.ca)
    asked, failed = 0, []
    while not stopped:
        asked += 1
        try:
            answer = session.get(f"{args.site}/api/health/ready/", timeout=30)
            if answer.status_code != 200:
                failed.append(str(answer.status_code))
        except requests.RequestException as error:
            failed.append(type(error).__name__)
        time.sleep(0.2)
    print(f"{args.label}: {asked} requests through nginx, {len(failed)} failed {failed[:10]}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
