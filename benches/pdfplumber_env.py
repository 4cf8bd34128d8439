"""The Python that runs pdfplumber for the peer benchmarks (peers.py, damaged_vs_pdfplumber.py).

This interpreter if it already has pdfplumber; otherwise a venv under target/bench-venv, made once
and reused, so the benchmarks never install into the system Python.
"""
import os, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def plumber_python():
    try:
        import pdfplumber  # noqa: F401
        return sys.executable
    except ImportError:
        venv = os.path.join(ROOT, "target", "bench-venv")
        py = os.path.join(venv, "bin", "python")
        if not os.path.exists(py):
            subprocess.run([sys.executable, "-m", "venv", venv], check=True)
            subprocess.run([py, "-m", "pip", "install", "-q", "pdfplumber"], check=True)
        return py
