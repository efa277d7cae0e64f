"""Reads wrk's printed summary (run with --latency): requests, rate, percentiles, errors.

Shared by scripts/bench.sh and scripts/soak.sh.
"""
import re


class WrkSummary:
    """One wrk run's figures; `errors` counts non-2xx/3xx answers and socket errors."""

    def __init__(self, text):
        self.text = text
        total = re.search(r"(\d+) requests in", text)
        rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
        if not total or not rps:
            raise ValueError("wrk produced no summary:\n" + text)
        self.total = int(total.group(1))
        self.rps = float(rps.group(1))
        non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
        sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
        self.non2xx = int(non2xx.group(1)) if non2xx else 0
        self.socket_errors = sum(int(g) for g in sock.groups()) if sock else 0
        self.errors = self.non2xx + self.socket_errors

    def ms(self, percentile):
        """The latency at `percentile` ("50", "90", "99") in milliseconds, NaN when absent."""
        m = re.search(rf"^\s*{percentile}%\s+([\d.]+)(us|ms|s)\s*$", self.text, re.M)
        if not m:
            return float("nan")
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]


def read(path):
    """The summary of the wrk output saved at `path`."""
    return WrkSummary(open(path).read())
