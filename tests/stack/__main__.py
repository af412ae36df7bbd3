"""`make stack`: the production topology on this machine until Ctrl-C (tests/stack/runner.py)."""

import signal
import sys
import time

from tests.stack.runner import Stack


def main() -> int:
    stack = Stack(quiet=False)
    # Ctrl-C and a plain kill both end in the finally below (SIGINT too when the shell
    # that started us in the background set it to be ignored).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        stack.start(demo_content=True)
        print(
            f"\nPortal (via the load balancer, self-signed certificate): {stack.url}/\n"
            f"  plain HTTP on the load balancer: {stack.http_url}/ (redirects to HTTPS)\n"
            f"  nginx itself: {stack.site_url}/   gunicorn: {', '.join(stack.web_urls)}\n"
            f"  mail to the relay lands in {stack.sink_dir}/ (one .eml per message)\n"
            f"  logs: {stack.dir}/*.log\n"
            f"Administrator: {stack.admin[0]} / {stack.admin[1]} (second factor at first login)\n"
            "Ctrl-C stops everything.",
            flush=True,
        )
        while True:
            exited = [name for name, p in stack.processes.items() if p.poll() is not None]
            if exited:
                print(f"stack: {exited[0]} exited; stopping the rest:", file=sys.stderr)
                print(stack.log(exited[0]), file=sys.stderr)
                return 1
            time.sleep(1)
    except KeyboardInterrupt:
        return 0
    finally:
        print("stack: stopping ...", flush=True)
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
