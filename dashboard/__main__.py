"""Start the dashboard: `python -m dashboard [streamlit options]`, as `make dashboard` does.

It is `streamlit run dashboard/app.py` with one difference: the libraries and modules every page uses
(pandas, SQLAlchemy, DuckDB, plotly, the metrics and the page shell) are imported before the server starts
listening. `streamlit run` leaves that to the first visitor's first run, which then spends about two of its
seconds importing; here the server takes those seconds once, at start, before anyone is waiting (and sets
what it imported aside from the garbage collector). The default view is then worked out as the server
starts (`dashboard.shell.warm`).
"""

from __future__ import annotations

import atexit
import gc
import importlib
import logging
import pkgutil
import sys
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"
PRELOADED_PACKAGES = ("dashboard.shell", "dashboard.metrics")


def preload() -> list[str]:
    """Import every module of the page shell and the metrics (not the pages: running is what a page does
    when imported); returns their names."""
    import streamlit  # noqa: F401  (sets up its loggers, so the level below holds)

    names = []
    # decorating a cached function checks its settings against the runtime's cache, which starts with the
    # server: Streamlit warns that there is none yet, which is expected here
    logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)
    for package_name in PRELOADED_PACKAGES:
        package = importlib.import_module(package_name)
        for module in pkgutil.iter_modules(package.__path__, prefix=f"{package_name}."):
            if module.name.rsplit(".", 1)[-1] != "__main__":
                importlib.import_module(module.name)
                names.append(module.name)
    logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.NOTSET)
    return names


def ready_to_serve() -> None:
    """What the process does before the server listens: `preload`, then set everything it imported aside from
    the garbage collector (`gc.freeze`). Those objects live as long as the server does, yet each full
    collection walked all of them (about 200,000), a pause of around 100 ms in the middle of someone's page
    every few runs; frozen, a full collection walks only what the runs made. They are handed back at exit, so
    that the interpreter frees them as it ends (DuckDB's bindings report anything left as a leak)."""
    preload()
    gc.collect()
    gc.freeze()
    atexit.register(gc.unfreeze)


def main(argv: list[str] | None = None) -> None:
    ready_to_serve()
    from streamlit.web import cli

    from dashboard.shell.warm import warm_when_serving

    warm_when_serving()

    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
